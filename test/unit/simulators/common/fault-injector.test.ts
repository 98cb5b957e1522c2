import { describe, expect, it } from 'vitest';
import { FaultInjector, InvalidFaultSpecError, parseFaultSpecs } from '../../../../src/simulators/common/fault-injector.ts';

/** A random source that replays the given values, then fails loudly if asked for more. */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => {
    const value = values[index++];
    if (value === undefined) throw new Error('random sequence exhausted');
    return value;
  };
}

function invalid(input: unknown): InvalidFaultSpecError {
  try {
    parseFaultSpecs(input);
  } catch (error) {
    if (error instanceof InvalidFaultSpecError) return error;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('fault spec validation', () => {
  it('accepts one spec or an array of specs', () => {
    expect(parseFaultSpecs({ route: 'create', kind: 'reset' })).toEqual([{ route: 'create', kind: 'reset' }]);
    expect(
      parseFaultSpecs([
        { route: '*', kind: 'latency', ms: 50 },
        { route: 'create', kind: 'status', status: 429, retryAfterSeconds: 3, count: 2, probability: 0.5 },
      ]),
    ).toHaveLength(2);
  });

  it.each([
    [{ route: 'create', kind: 'explode' }, 'kind'],
    [{ route: 'create', kind: 'latency' }, 'ms'],
    [{ route: 'create', kind: 'status' }, 'status'],
    [{ route: 'create', kind: 'status', status: 200 }, 'status'],
    [{ route: 'create', kind: 'reset', ms: 10 }, 'ms'],
    [{ route: 'create', kind: 'timeout', retryAfterSeconds: 1 }, 'retryAfterSeconds'],
    [{ route: 'create', kind: 'reset', probability: 1.5 }, 'probability'],
    [{ route: 'create', kind: 'reset', count: 0 }, 'count'],
    [{ route: '', kind: 'reset' }, 'route'],
    [{ route: 'create', kind: 'reset', colour: 'red' }, 'colour'],
  ])('rejects %j naming %s', (input, field) => {
    const error = invalid(input);
    expect(error.message).toMatch(/^invalid fault spec: /);
    expect(error.message).toContain(field);
    expect(error.issues.length).toBeGreaterThan(0);
  });

  it('names the index of the bad spec in an array', () => {
    const error = invalid([{ route: 'create', kind: 'reset' }, { route: 'create', kind: 'latency' }]);
    expect(error.message).toContain('[1].ms');
  });

  it('rejects an empty array and non-objects', () => {
    expect(invalid([]).issues.length).toBeGreaterThan(0);
    expect(invalid('reset').issues.length).toBeGreaterThan(0);
  });
});

describe('FaultInjector.decide', () => {
  it('proceeds untouched when no fault matches the route', () => {
    const faults = new FaultInjector();
    faults.add({ route: 'batch', kind: 'reset' });
    expect(faults.decide('create')).toEqual({ delayMs: 0, terminal: undefined });
    expect(faults.decide('batch')).toEqual({ delayMs: 0, terminal: { kind: 'reset' } });
  });

  it("applies '*' faults to every route", () => {
    const faults = new FaultInjector();
    faults.add({ route: '*', kind: 'status', status: 503 });
    expect(faults.decide('create').terminal).toEqual({ kind: 'status', status: 503 });
    expect(faults.decide('lookup').terminal).toEqual({ kind: 'status', status: 503 });
  });

  it('consumes a counted fault and removes it when spent', () => {
    const faults = new FaultInjector();
    faults.add({ route: 'create', kind: 'status', status: 429, retryAfterSeconds: 7, count: 2 });
    expect(faults.decide('create').terminal).toEqual({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    expect(faults.list()).toEqual([{ route: 'create', kind: 'status', status: 429, retryAfterSeconds: 7, count: 1 }]);
    expect(faults.decide('create').terminal).toEqual({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    expect(faults.list()).toEqual([]);
    expect(faults.decide('create').terminal).toBeUndefined();
  });

  it('rolls the injected random against probability and consumes the count only on a hit', () => {
    const faults = new FaultInjector({ random: sequence(0.9, 0.2, 0.5) });
    faults.add({ route: 'create', kind: 'reset', probability: 0.5, count: 1 });
    expect(faults.decide('create').terminal).toBeUndefined(); // 0.9 ≥ 0.5: miss
    expect(faults.list()[0]?.count).toBe(1);
    expect(faults.decide('create').terminal).toEqual({ kind: 'reset' }); // 0.2 < 0.5: hit
    expect(faults.list()).toEqual([]);
  });

  it('never rolls for probability 1 and never hits for probability 0', () => {
    const faults = new FaultInjector({ random: sequence(0) });
    faults.add([
      { route: 'create', kind: 'timeout', probability: 0 },
      { route: 'create', kind: 'reset' },
    ]);
    // The 0-probability fault rolls (0 < 0 is false: a miss); the certain one does not roll.
    expect(faults.decide('create').terminal).toEqual({ kind: 'reset' });
  });

  it('adds every matching latency and lets the first terminal fault win', () => {
    const faults = new FaultInjector();
    faults.add([
      { route: '*', kind: 'latency', ms: 30 },
      { route: 'create', kind: 'applied_response_lost', count: 1 },
      { route: 'create', kind: 'latency', ms: 20 },
      { route: 'create', kind: 'reset', count: 1 },
    ]);
    expect(faults.decide('create')).toEqual({ delayMs: 50, terminal: { kind: 'applied_response_lost' } });
    // The reset was not consumed by the first request; it is next.
    expect(faults.decide('create')).toEqual({ delayMs: 50, terminal: { kind: 'reset' } });
    expect(faults.decide('create')).toEqual({ delayMs: 50, terminal: undefined });
  });

  it('clear() removes every fault', () => {
    const faults = new FaultInjector();
    faults.add({ route: '*', kind: 'timeout' });
    faults.clear();
    expect(faults.list()).toEqual([]);
    expect(faults.decide('create').terminal).toBeUndefined();
  });

  it('does not let callers mutate stored faults through returned specs', () => {
    const faults = new FaultInjector();
    const [added] = faults.add({ route: 'create', kind: 'reset', count: 1 });
    if (added !== undefined) added.count = 99;
    faults.list()[0]!.count = 99;
    expect(faults.list()[0]?.count).toBe(1);
  });
});
