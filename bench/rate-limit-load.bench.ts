/**
 * Load test of the shared rate limits (run with the stack: `eval "$(bash deploy/local/stack.sh env)"`):
 *
 *   node bench/rate-limit-load.bench.ts [--scale 10] [--backlog 900] [--share 0.98]
 *
 * Three service instances (separate processes, roles redactor, router, deliver:goodera and
 * deliver:workday) drain a backlog to the Goodera simulator enforcing 100 requests per window per
 * API key and to a Workday simulator enforcing 60 per window per tenant; a window is 60 s / scale
 * (scale 1 is real time: Goodera's documented 100/min). The instances are configured for `share`
 * of each limit, shared through the run's OWN redis-server (never the stack's). Two bursts of new
 * events, a 429 storm in the middle, then that Redis stopped for two windows (each instance falls
 * back to its own bucket). Prints, per platform: requests refused for the limit per 10,000 sent
 * outside the storm and the outage (goal 0), the admitted rate before the storm as a share of the
 * limit (goal ≥ 95 %), the time from the storm's end until the rate is back at 95 % of the
 * configured one, and, with Redis down, how far over the limit the per-instance fallback sends.
 * The guarantees that are not timing run in make test: test/integration/rate-limit-load.test.ts.
 */
import { parseArgs } from 'node:util';
import { figuresOf, runRateLimitLoad } from '../test/integration/helpers/rate-limit-load.ts';

const { values } = parseArgs({
  options: { scale: { type: 'string', default: '10' }, backlog: { type: 'string', default: '900' }, share: { type: 'string', default: '0.98' } },
});
const scale = Number(values.scale);
const backlog = Number(values.backlog);
const share = Number(values.share);
if (!(scale >= 1 && scale <= 60)) throw new Error('--scale must be in 1..60');
if (!Number.isInteger(backlog) || backlog < 100) throw new Error('--backlog must be an integer ≥ 100');
if (!(share > 0 && share <= 1)) throw new Error('--share must be in (0, 1]');

const windowMs = 60_000 / scale;
const started = Date.now();
const run = await runRateLimitLoad({
  name: 'bench-rate-limit',
  scale,
  gooderaLimitPerWindow: 100,
  workdayLimitPerWindow: 60,
  clientShare: share,
  backlog,
  // In windows: ramp-up, a burst at 3, the storm at 6 (half a window), a burst at 7, Redis down 9–11.
  bursts: [
    { atMs: 3 * windowMs, events: Math.round(backlog / 6) },
    { atMs: 7 * windowMs, events: Math.round(backlog / 6) },
  ],
  storm: { atMs: 6 * windowMs, durationMs: windowMs / 2, retryAfterSeconds: Math.max(1, Math.round(windowMs / 6_000)) },
  redisOutage: { atMs: 9 * windowMs, durationMs: 2 * windowMs },
  deadlineMs: 60 * windowMs,
  log: (line) => console.log(`  ${line}`),
});

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`);
console.log(`rate-limit load: 3 instances, scale ×${scale} (window ${windowMs} ms), client at ${pct(share)} of each limit, ${((Date.now() - started) / 1000).toFixed(0)} s`);
for (const platform of [run.goodera, run.workday]) {
  const f = figuresOf(run, platform);
  console.log(
    `${platform.platform.padEnd(8)} records ${platform.records}/${platform.expectedRecords}, duplicates ${platform.duplicates}; ` +
      `refused for the limit outside storm/outage: ${f.refusedPer10kOutside.toFixed(1)} per 10,000 (${f.refusedOutside} of ${f.sentOutside}); ` +
      `achieved before the storm ${pct(f.achievedShare)} of the limit; ` +
      `back at 95 % of the configured rate ${Number.isNaN(f.recoveryMs) ? 'never' : `${(f.recoveryMs / 1000).toFixed(1)} s (${(f.recoveryMs / windowMs).toFixed(2)} windows)`} after the storm`,
  );
  const perWindow: string[] = [];
  for (let w = windowMs; w <= platform.samples.at(-1)!.at + windowMs; w += windowMs) {
    const inWindow = platform.samples.filter((s) => s.at <= w);
    const before = platform.samples.filter((s) => s.at <= w - windowMs);
    const a = inWindow.at(-1)!;
    const b = before.at(-1) ?? { admitted: 0, refused: 0 };
    perWindow.push(`${a.admitted - b.admitted}${a.refused > b.refused ? `+${a.refused - b.refused}r` : ''}`);
  }
  console.log(`${''.padEnd(8)} admitted per window (+r refused): ${perWindow.join(' ')}`);
  if (f.outage) {
    console.log(
      `${''.padEnd(8)} Redis down: sent ${pct(f.outage.sentShare)} of the limit (worst half window ${pct(f.outage.peakSentShare)}; admitted ${pct(f.outage.admittedShare)}), ` +
        `${f.outage.refusedPer10k.toFixed(0)} per 10,000 refused`,
    );
  }
}
