/**
 * What must hold: three service instances sharing the Redis rate limits never send Goodera or
 * Workday a request their limit refuses outside a 429 storm — across a backlog, a burst of new
 * events and the storm itself — and every event reaches each platform exactly once. (Short form
 * of bench/rate-limit-load.bench.ts; time scaled ×10: 100 requests per 6 s for Goodera's API key,
 * 60 per 6 s for the Workday tenant; the instances are configured for 90 % of each, the headroom
 * for the jitter between taking a token and the request's arrival on a busy machine.)
 */
import { expect, test } from 'vitest';
import { figuresOf, runRateLimitLoad } from './helpers/rate-limit-load.ts';

test('three instances: no limit refusals outside the storm, every event delivered once', async () => {
  const run = await runRateLimitLoad({
    name: 'rate-limit-load',
    scale: 10,
    gooderaLimitPerWindow: 100,
    workdayLimitPerWindow: 60,
    clientShare: 0.9,
    backlog: 120,
    // New events as the storm begins (and after it): Goodera batches a backlog into few requests, so
    // on a quiet machine the backlog alone could be delivered before the storm, which would then
    // meet no Goodera traffic at all.
    bursts: [
      { atMs: 3_000, events: 40 },
      { atMs: 5_000, events: 40 },
    ],
    storm: { atMs: 3_000, durationMs: 1_500, retryAfterSeconds: 1 },
    deadlineMs: 150_000,
    log: (line) => console.log(`rate-limit-load: ${line}`),
  });
  // The storm really met the traffic, so "outside the storm" is a real distinction.
  expect(run.goodera.samples.at(-1)!.refused, 'goodera saw the storm').toBeGreaterThan(0);
  for (const platform of [run.goodera, run.workday]) {
    const figures = figuresOf(run, platform);
    const last = platform.samples.at(-1)!;
    console.log(`rate-limit-load: ${platform.platform}: storm ${run.stormWindow.map(Math.round).join('–')} ms, ${last.admitted} admitted, ${last.refused} refused; ${JSON.stringify(figures)}`);
    expect(figures.sentOutside, `${platform.platform} requests outside the storm`).toBeGreaterThan(0);
    expect(figures.refusedOutside, `${platform.platform} limit refusals outside the storm`).toBe(0);
    expect(platform.records, `${platform.platform} records`).toBe(platform.expectedRecords);
    expect(platform.duplicates, `${platform.platform} duplicates`).toBe(0);
  }
});
