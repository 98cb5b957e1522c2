import { describe, expect, it } from 'vitest';
import { KeyScheduler } from '../../../src/engine/key-scheduler.ts';
import { Semaphore } from '../../../src/engine/semaphore.ts';

/** A unit whose end the test decides. */
function gate() {
  let open!: (finished: boolean) => void;
  const done = new Promise<boolean>((resolve) => (open = resolve));
  return { done, finish: () => open(true), leave: () => open(false) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyScheduler: key-ordered concurrency', () => {
  it('runs units of different keys at once, and the units of one key one at a time in order', async () => {
    const scheduler = new KeyScheduler({ maxInFlight: 10 });
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const unit = (name: string) => async () => {
      started.push(name);
      const g = gate();
      gates.set(name, g);
      return g.done;
    };
    await scheduler.submit('k1', unit('k1-a'));
    await scheduler.submit('k2', unit('k2-a'));
    await scheduler.submit('k1', unit('k1-b'));
    await tick();
    expect(started).toEqual(['k1-a', 'k2-a']);
    gates.get('k2-a')!.finish();
    await tick();
    expect(started).toEqual(['k1-a', 'k2-a']);
    gates.get('k1-a')!.finish();
    await tick();
    expect(started).toEqual(['k1-a', 'k2-a', 'k1-b']);
    gates.get('k1-b')!.finish();
    await scheduler.drain();
    expect(scheduler.inFlight).toBe(0);
    expect(scheduler.activeKeys).toBe(0);
  });

  it('back-pressure: submit waits while maxInFlight units are unfinished, queued ones included', async () => {
    const scheduler = new KeyScheduler({ maxInFlight: 2 });
    const first = gate();
    await scheduler.submit('k', () => first.done);
    await scheduler.submit('k', async () => true); // queued behind the first: counts
    let third = false;
    const submitting = scheduler.submit('j', async () => true).then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    expect(scheduler.inFlight).toBe(2);
    first.finish();
    await submitting;
    expect(third).toBe(true);
    await scheduler.drain();
  });

  it('shares a process-wide bound between schedulers', async () => {
    const limiter = new Semaphore(1);
    const a = new KeyScheduler({ maxInFlight: 5, limiter });
    const b = new KeyScheduler({ maxInFlight: 5, limiter });
    const held = gate();
    await a.submit('x', () => held.done);
    let accepted = false;
    const submitting = b.submit('y', async () => true).then(() => (accepted = true));
    await tick();
    expect(accepted).toBe(false);
    held.finish();
    await submitting;
    await b.drain();
    expect(limiter.inUse).toBe(0);
  });

  it('a unit left unfinished halts: later units of its key and not-started units are skipped, nothing more is accepted', async () => {
    const scheduler = new KeyScheduler({ maxInFlight: 10 });
    const ran: string[] = [];
    const first = gate();
    const other = gate();
    const a = await scheduler.submit('k', async () => {
      ran.push('k-a');
      return first.done;
    });
    const b = await scheduler.submit('k', async () => {
      ran.push('k-b');
      return true;
    });
    const c = await scheduler.submit('j', async () => {
      ran.push('j-a');
      return other.done;
    });
    await tick();
    first.leave();
    expect(await a!.outcome).toBe(false);
    expect(await b!.outcome).toBe(false);
    expect(scheduler.halted).toBe(true);
    expect(await scheduler.submit('z', async () => true)).toBeNull();
    // A unit already running goes on to its end.
    other.finish();
    expect(await c!.outcome).toBe(true);
    await scheduler.drain();
    expect(ran).toEqual(['k-a', 'j-a']);
  });

  it('a unit that throws counts as unfinished', async () => {
    const scheduler = new KeyScheduler({ maxInFlight: 1 });
    const run = await scheduler.submit('k', async () => {
      throw new Error('boom');
    });
    expect(await run!.outcome).toBe(false);
    expect(scheduler.halted).toBe(true);
  });

  it('a halt wakes a submit waiting for room, which then takes nothing', async () => {
    const scheduler = new KeyScheduler({ maxInFlight: 1 });
    const held = gate();
    await scheduler.submit('k', () => held.done);
    const waiting = scheduler.submit('j', async () => true);
    scheduler.halt();
    expect(await waiting).toBeNull();
    held.finish();
    await scheduler.drain();
  });
});
