import { expect, test } from 'vitest';
import { checkInvariants, ValueScanner, type ChaosObservations } from '../../../src/chaos/invariants.ts';

const clean: ChaosObservations = {
  expected: new Set(['e1:goodera', 'e1:benevity', 'e2:workday']),
  results: [
    { eventId: 'e1', platform: 'goodera', status: 'delivered' },
    { eventId: 'e1', platform: 'benevity', status: 'delivered' },
    { eventId: 'e2', platform: 'workday', status: 'delivered' },
    { eventId: 'e2', platform: 'workday', status: 'delivered' }, // re-published by the relay: one result by key
  ],
  simulators: { goodera: { accepted: 1, duplicates: 0 }, benevity: { accepted: 1, duplicates: 0 }, workday: { accepted: 1, duplicates: 0 } },
  injectedBad: 2,
  deadLetters: 2,
  otherDeadLetters: 0,
  piiValues: ['ada@example.org'],
  haystacks: [{ where: 'log', text: 'nothing personal here' }],
  lag: 0,
};

test('a clean run has no violations', () => {
  expect(checkInvariants(clean)).toEqual([]);
});

test.each([
  ['missing_result', { results: clean.results.slice(1) }],
  ['extra_result', { results: [...clean.results, { eventId: 'e9', platform: 'goodera', status: 'delivered' }] }],
  ['not_delivered', { results: [{ ...clean.results[0]!, status: 'failed' }, ...clean.results.slice(1)] }],
  ['applied_twice', { simulators: { ...clean.simulators, goodera: { accepted: 1, duplicates: 1 } } }],
  ['applied_count', { simulators: { ...clean.simulators, workday: { accepted: 0, duplicates: 0 } } }],
  ['dead_letters', { deadLetters: 3 }],
  ['dead_letters', { otherDeadLetters: 1 }],
  ['pii_leak', { haystacks: [{ where: 'benevity records', text: '{"note":"ada@example.org"}' }] }],
  ['lag', { lag: 4 }],
] as const)('%s is reported', (kind, change) => {
  const violations = checkInvariants({ ...clean, ...change } as ChaosObservations);
  expect(violations.map((v) => v.kind)).toEqual([kind]);
});

test('keys applied twice are named, so each can be traced through the logs', () => {
  const [violation] = checkInvariants({ ...clean, simulators: { ...clean.simulators, goodera: { accepted: 1, duplicates: 1, duplicateKeys: ['acme:k-17'] } } });
  expect(violation).toEqual({ kind: 'applied_twice', detail: 'goodera: 1 business keys applied more than once: acme:k-17' });
});

test('a leak names where it was found, never the value', () => {
  const [violation] = checkInvariants({ ...clean, haystacks: [{ where: 'results', text: 'x ada@example.org' }] });
  expect(violation?.detail).toContain('results');
  expect(violation?.detail).not.toContain('ada@example.org');
});

test('the scanner finds values at either end, sharing a prefix, overlapping, and beyond Latin-1', () => {
  const scanner = new ValueScanner(['ada@example.org', 'ada@example.net', 'zürich-4711', 'org, ada', 'absent-value', 'xy-123']);
  expect([...scanner.occurring('ada@example.org, ada@example.net')].sort()).toEqual(['ada@example.net', 'ada@example.org', 'org, ada']);
  expect([...scanner.occurring('at the end: zürich-4711')]).toEqual(['zürich-4711']);
  expect([...scanner.occurring('ends with xy-123')]).toEqual(['xy-123']);
  expect([...scanner.occurring('xy-123')]).toEqual(['xy-123']);
  expect(scanner.occurring('ada@example.or').size).toBe(0);
  expect(scanner.occurring('').size).toBe(0);
});

test('the scanner agrees with a search of each value on random texts', () => {
  let state = 42;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const word = (n: number) => Array.from({ length: n }, () => 'abé@.1 '[Math.floor(next() * 7)]).join('');
  const values = Array.from({ length: 300 }, () => word(6 + Math.floor(next() * 6)));
  const scanner = new ValueScanner(values);
  for (let round = 0; round < 20; round++) {
    const text = word(2_000);
    const wordChar = /[\p{L}\p{N}]/u;
    const standsApart = (v: string) =>
      new RegExp(`${wordChar.test(v[0]!) ? '(?<![\\p{L}\\p{N}])' : ''}${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${wordChar.test(v.at(-1)!) ? '(?![\\p{L}\\p{N}])' : ''}`, 'u').test(text);
    expect([...scanner.occurring(text)].sort()).toEqual([...new Set(values.filter(standsApart))].sort());
  }
});

test('a value inside a longer run of letters and digits is chance, not a leak', () => {
  const scanner = new ValueScanner(['520415050', 'ada@example.org']);
  expect(scanner.occurring('"participantId":"9f3a520415050c1e","at":1796652041505012').size).toBe(0);
  expect([...scanner.occurring('SSN 520415050.')]).toEqual(['520415050']);
  expect([...scanner.occurring('{"note":"520415050"}')]).toEqual(['520415050']);
  expect([...scanner.occurring('mail:ada@example.org;')]).toEqual(['ada@example.org']);
});
