/**
 * A chaos run anyone can start:
 *
 *   node bench/chaos.ts --seed 7 --duration 3m --rate 20 [--json report.json] [--chart chart]
 *   node bench/chaos.ts --chart chart --from report.json     (the chart of an earlier run)
 *
 * Starts its own PostgreSQL, Kafka broker and toxiproxy (the shared stack is only used for the
 * schema registry: SCHEMA_REGISTRY_URL), the three platform simulators and every impact-in role as
 * its own process; publishes `rate` events a second (with personal data, and a malformed message
 * every 200) for `duration` while a seeded schedule of faults is applied — PostgreSQL stopped and
 * SIGKILLed, the broker restarted and SIGKILLed, latency / bandwidth / stalls / resets on the way to
 * a platform, a role SIGKILLed, and 5xx, 429 storms, lost and slow answers at the platforms — then
 * waits for quiet and checks the invariants. The same seed gives the same schedule (printed first).
 * Prints a report table and JSON; exits 1 on any violation. `--chart P` writes P.svg (and P.png
 * when a Chromium is at hand): memory, event-loop delay and backlog over the run, faults as bands.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chaosSchedule } from '../src/chaos/schedule.ts';
import { patchKafkajsNegativeTimeout } from '../src/kafka/kafkajs/node-warnings.ts';
import { svgToPng } from './pipeline/chart.ts';
import { chaosChartSvg } from './chaos/chart.ts';
import { runChaos, type ChaosReport } from './chaos/run.ts';

// The run's own clients are kafkajs too: without the service's patch it warns of a negative timer.
patchKafkajsNegativeTimeout();

function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new Error(`--duration: expected e.g. 90s, 3m or 1h, got "${value}"`);
  return Math.round(Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 's']!);
}

function table(report: ChaosReport): string {
  const rows: [string, string][] = [
    ['seed', String(report.seed)],
    ['duration / rate', `${report.durationMs / 1000} s at ${report.rate} events/s`],
    ['events published', `${report.events.published} (+ ${report.events.bad} malformed)`],
    ['expected results', String(report.events.expectedResults)],
    ['final results', String(report.results)],
    ['events dead-lettered', String(report.deadLetters)],
    ['PII values checked', String(report.piiValues)],
    ['consumer lag at end', String(report.lag)],
    ...Object.entries(report.faultsApplied).map(([kind, n]): [string, string] => [`fault ${kind}`, String(n)]),
    ['violations', String(report.violations.length)],
    ['quiet after publishing', `${report.drainS} s`],
    ['wall time', `${Math.round(report.wallMs / 1000)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const v of report.violations) lines.push(`VIOLATION ${v.kind}: ${v.detail}`);
  for (const trace of report.duplicateTraces) {
    const copies = trace.copies.map((c) => `received ${c.receivedAt ?? '?'} stored ${c.createdAt}`).join('; ');
    const attempts = trace.attempts.map((a) => `${a.at} ${a.result} ${a.ms} ms`).join('; ');
    lines.push(`applied twice ${trace.key}: ${copies} | attempts: ${attempts}`);
  }
  const byRole = new Map<string, typeof report.samples>();
  for (const s of report.samples) byRole.set(s.role, [...(byRole.get(s.role) ?? []), s]);
  for (const [role, samples] of byRole) {
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const maxLag = Math.max(...samples.map((s) => s.eventLoopP99Ms).filter(Number.isFinite));
    lines.push(`${role.padEnd(18)} RSS ${first.rssMb} MB at ${first.atS}s → ${last.rssMb} MB at ${last.atS}s; event-loop p99 max ${maxLag} ms`);
  }
  if (report.harness.length > 0) {
    const worst = Math.max(...report.harness.map((h) => h.eventLoopMaxMs));
    lines.push(`${'harness'.padEnd(18)} RSS ${report.harness[0]!.rssMb} MB → ${report.harness.at(-1)!.rssMb} MB; event-loop delay max ${worst} ms (simulators and publisher)`);
  }
  return lines.join('\n');
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    duration: { type: 'string', default: '3m' },
    rate: { type: 'string', default: '20' },
    json: { type: 'string' },
    chart: { type: 'string' },
    from: { type: 'string' },
    'schedule-only': { type: 'boolean', default: false },
  },
  strict: true,
});
async function chart(report: ChaosReport, path: string): Promise<void> {
  const svg = chaosChartSvg(report);
  writeFileSync(`${path}.svg`, svg);
  const png = await svgToPng(svg, `${path}.png`);
  process.stdout.write(`chart: ${path}.svg${png ? ` and ${path}.png` : ''}\n`);
}

if (values.from) {
  if (!values.chart) throw new Error('--from: give --chart too (where to write the chart of that report)');
  await chart(JSON.parse(readFileSync(values.from, 'utf8')) as ChaosReport, values.chart);
  process.exit(0);
}
const seed = Number(values.seed);
const rate = Number(values.rate);
if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got "${values.seed}"`);
if (!(rate > 0)) throw new Error(`--rate: expected events per second > 0, got "${values.rate}"`);
const durationMs = duration(values.duration);

const say = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
say(`schedule for seed ${seed}, ${durationMs / 1000} s:`);
for (const f of chaosSchedule({ seed, durationMs })) say(`  t+${(f.atMs / 1000).toFixed(1)}s ${f.kind}${f.target ? ` ${f.target}` : ''} ${f.durationMs} ms`);
if (values['schedule-only']) process.exit(0);

const report = await runChaos({ seed, durationMs, rate, log: say });
process.stdout.write(`\n${table(report)}\n\n`);
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
process.stdout.write(`${JSON.stringify({ ...report, schedule: report.schedule.length, samples: report.samples.length, harness: report.harness.length, backlog: report.backlog.length, windows: report.windows.length }, null, 2)}\n`);
if (values.chart) await chart(report, values.chart);
process.exit(report.violations.length > 0 ? 1 : 0);
