/**
 * What must hold: a short seeded chaos run (bench/chaos.ts, seed 34, 150 s at 3 events/s) — the
 * whole pipeline as one process per role against the three simulators, with PostgreSQL stopped
 * and SIGKILLed, the broker restarted, latency / stalls / resets on the way to a platform, a role
 * SIGKILLed, and 5xx, 429 storms, lost and slow answers at the platforms — ends with no invariant
 * violated: one final result per (event, platform), each business key applied once, no personal
 * data at a simulator, in a dead letter, a result or a log, dead letters equal to the malformed
 * input, no lag.
 */
import { expect, test } from 'vitest';
import { runChaos } from '../../bench/chaos/run.ts';

test('seed 34, 150 s at 3 events/s: no invariant violated', async () => {
  const report = await runChaos({ seed: 34, durationMs: 150_000, rate: 3, badEvery: 50, log: (line) => process.stdout.write(`chaos-run: ${line}\n`) });
  const { schedule, samples, ...figures } = report;
  process.stdout.write(`chaos-run: ${JSON.stringify({ ...figures, faults: schedule.length, samples: samples.length })}\n`);
  expect(report.events.published).toBeGreaterThan(0);
  expect(Object.values(report.faultsApplied).reduce((a, b) => a + b, 0)).toBe(schedule.length);
  expect(report.violations).toEqual([]);
}, 1_500_000);
