import { expect, test } from 'vitest';
import { chaosSchedule, countByKind, DEPENDENCY_FAULTS, PLATFORM_FAULTS } from '../../../src/chaos/schedule.ts';

test('the same seed gives the same schedule; another seed another one', () => {
  const a = chaosSchedule({ seed: 7, durationMs: 600_000 });
  expect(chaosSchedule({ seed: 7, durationMs: 600_000 })).toEqual(a);
  expect(chaosSchedule({ seed: 8, durationMs: 600_000 })).not.toEqual(a);
});

test('dependency faults never overlap, and every fault ends within the first 80 % of the run', () => {
  const faults = chaosSchedule({ seed: 3, durationMs: 1_800_000 });
  const dependency = faults.filter((f) => (DEPENDENCY_FAULTS as readonly string[]).includes(f.kind));
  for (const [i, fault] of dependency.entries()) {
    const next = dependency[i + 1];
    if (next) expect(fault.atMs + fault.durationMs).toBeLessThan(next.atMs);
  }
  for (const fault of faults) expect(fault.atMs + fault.durationMs).toBeLessThanOrEqual(1_800_000 * 0.8);
  // A long run draws every kind at least once.
  const counts = countByKind(faults);
  for (const kind of [...DEPENDENCY_FAULTS, ...PLATFORM_FAULTS]) expect(counts[kind], kind).toBeGreaterThan(0);
});

test('network and platform faults name a platform; a role kill names a role', () => {
  for (const fault of chaosSchedule({ seed: 11, durationMs: 900_000 })) {
    if (fault.kind.startsWith('net_') || fault.kind.startsWith('platform_')) expect(['goodera', 'benevity', 'workday']).toContain(fault.target);
    else if (fault.kind === 'role_kill') expect(fault.target).toMatch(/^(redactor|router|relay|deliver:(goodera|benevity|workday))$/);
    else expect(fault.target).toBeUndefined();
  }
});

test('only the dependency kinds asked for are drawn', () => {
  const faults = chaosSchedule({ seed: 5, durationMs: 600_000, kinds: ['role_kill'] });
  expect(new Set(faults.filter((f) => !f.kind.startsWith('platform_')).map((f) => f.kind))).toEqual(new Set(['role_kill']));
});

test('a bad seed or duration is refused naming it', () => {
  expect(() => chaosSchedule({ seed: 1.5, durationMs: 1_000 })).toThrow('seed');
  expect(() => chaosSchedule({ seed: 1, durationMs: 0 })).toThrow('durationMs');
});
