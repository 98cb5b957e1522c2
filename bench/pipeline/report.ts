/**
 * The pipeline bench's output from what a run measured: the printed tables, the JSON report and
 * the per-second latency series the chart draws.
 */
import { cpus } from 'node:os';
import { PLATFORMS, type Platform } from '../../src/domain/platform.ts';
import { formatRate, percentiles, table } from '../lib.ts';
import type { Series } from './chart.ts';
import type { RawCopy } from './raw-copy.ts';
import { STAGES, type Cell, type Tally } from './results.ts';

export interface CellFigures {
  readonly cell: Cell;
  readonly seconds: number;
  readonly offeredRate: number;
  readonly cpuMicrosPerResult: number;
  readonly selfCpuMicrosPerResult: number;
  /** Role → CPU it used over the cell ÷ wall time (1 = one core; a Node process's main thread tops out near 1). */
  readonly coresUsed: Record<string, number>;
  /** Busy share of the whole machine over the cell, every core and every process (others' too). */
  readonly machineBusy: number;
  /** Role → peak VmRSS during the cell, MiB. */
  readonly peakRssMb: Record<string, number>;
}

export interface RunFacts {
  readonly options: { latencies: number[]; rates: number[]; seconds: number; events: number; partitions: number; roles: readonly string[] };
  readonly figures: readonly CellFigures[];
  readonly raw: RawCopy | { error: string };
  readonly peakRunRssMb: Record<string, number>;
  readonly tally: Tally;
  readonly simulators: Record<Platform, { accepted: number; duplicates: number }>;
  /** How many results' publish → first attempt were split by the intermediate topics' stamps (or why none). */
  readonly stageSplit: { split: number; of: number; error?: string };
  /** Lost, doubled, unexpected or undelivered results; empty when the run was exactly once. */
  readonly problems: readonly string[];
}

const secondsBetween = (from: number, to: number) => Math.max(0.001, (to - from) / 1000);
export const resultsPerSecond = (c: Cell) => c.receivedTotal / secondsBetween(c.firstPublishAt, c.lastResult);
export const platformRate = (c: Cell, p: Platform) => c.received[p] / secondsBetween(c.firstPublishAt, c.lastResultAt[p]);
const ms = (v: number) => (v >= 10_000 ? formatRate(v) : String(Math.round(v)));
const p50p99 = (h: Cell['latency']) => [50, 99].map((q) => ms(h.getValueAtPercentile(q))).join(' / ');
const rawRate = (raw: RunFacts['raw']) => ('perSecond' in raw ? raw.perSecond : undefined);

export function renderText(run: RunFacts): string {
  const { options: o, figures, raw, problems } = run;
  const roles = o.roles;
  const rows = figures.map((f) => {
    const c = f.cell;
    return [
      c.name,
      c.rate === 'flat' ? 'backlog' : formatRate(f.offeredRate),
      `${c.receivedTotal}/${c.expectedTotal}`,
      formatRate(resultsPerSecond(c)),
      `${[50, 95, 99].map((p) => ms(c.latency.getValueAtPercentile(p))).join(' / ')} / ${ms(c.latency.maxValue)}`,
      formatRate(f.cpuMicrosPerResult),
      formatRate(f.selfCpuMicrosPerResult),
      roles.map((r) => f.coresUsed[r]!.toFixed(2)).join(' / '),
      `${Math.round(f.machineBusy * 100)} %`,
      roles.map((r) => Math.round(f.peakRssMb[r]!)).join(' / '),
    ];
  });
  const ceiling = rawRate(raw);
  const flatRows = figures
    .filter((f) => f.cell.rate === 'flat')
    .map((f) => [
      f.cell.name,
      ...PLATFORMS.map((p) => formatRate(platformRate(f.cell, p))),
      ...(['benevity', 'workday'] as const).map((p) => (ceiling ? `${((platformRate(f.cell, p) / ceiling) * 100).toFixed(2)} %` : 'n/a')),
    ]);
  const header =
    `whole pipeline, black box — node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${o.partitions} partitions, ` +
    `${roles.length} service processes (${roles.join(' | ')}), simulators + publisher + result reader in the bench process.\n` +
    `Cells: each added platform latency × (${o.rates.map((r) => `${r} events/s for ${o.seconds} s`).join(', ')}, then ${o.events} events at once). ` +
    `An event fans out to 1–3 platforms (results per cell shown). Latency = result record timestamp − impact-published-at (publisher's produce), HDR.\n` +
    `CPU µs/result = all service processes, user+system; bench = this process. Per process (${roles.join(' / ')}): cores used = its CPU ÷ wall over the cell ` +
    `(a Node process near 1.00 is bound by its main thread), RSS MiB = peak VmRSS in the cell. Machine busy = all cores, every process (other users' too).\n\n`;
  return (
    header +
    table(['cell', 'offered ev/s', 'results', 'results/s', 'publish→result ms p50/95/99/max', 'service CPU µs/result', 'bench CPU µs/result', 'cores used', 'machine busy', 'peak RSS MiB'], rows) +
    `\nflat out, per platform (results/s) and single-record delivery rate ÷ raw kafkajs consume→produce rate:\n` +
    table(['cell', ...PLATFORMS.map((p) => `${p}/s`), 'benevity ÷ raw', 'workday ÷ raw'], flatRows) +
    `\nwhere the time goes, ms p50 / p99, from each result's firstAttemptAt and completedAt: publish → first attempt, split by the redacted and deliver ` +
    `records' timestamps into the redactor's transaction, the router's, and waiting for the deliverer (${run.stageSplit.split} of ${run.stageSplit.of} results` +
    `${run.stageSplit.error ? `; ${run.stageSplit.error}` : ''}); handling (platform call, retries, Benevity's import callback); completed → result record (outbox, relay):\n` +
    table(
      ['cell', 'publish → first attempt', 'publish → redacted', 'redacted → routed', 'routed → first attempt', 'handling', 'completed → result'],
      figures.map((f) => [f.cell.name, ...STAGES.map((st) => p50p99(f.cell.stages[st]))]),
    ) +
    `\npublish→result ms p50 / p99 by platform:\n` +
    table(['cell', ...PLATFORMS], figures.map((f) => [f.cell.name, ...PLATFORMS.map((p) => p50p99(f.cell.byPlatform[p]))])) +
    ('perSecond' in raw
      ? `\nraw kafkajs consume→produce, same run, same broker, the events topic's ${formatRate(raw.messages / raw.passes)} messages × ${raw.passes} passes: ` +
        `${formatRate(raw.perSecond)} messages/s, ${raw.cpuMicrosPerMessage.toFixed(1)} CPU µs per message (${raw.messages} in ${raw.seconds.toFixed(2)} s)\n`
      : `\nraw kafkajs consume→produce FAILED: ${raw.error}\n`) +
    `run peak RSS (VmHWM) MiB: ${roles.map((r) => `${r} ${Math.round(run.peakRunRssMb[r]!)}`).join(', ')}\n` +
    (problems.length === 0
      ? `\nexactly once: every one of ${Object.values(run.tally.expected).reduce((a, b) => a + b, 0)} (event, platform) results arrived once, status delivered; ` +
        `simulators accepted ${PLATFORMS.map((p) => `${p} ${run.simulators[p].accepted}`).join(', ')}, no duplicates.\n`
      : `\n${'!'.repeat(72)}\n!! LOST OR DOUBLED — this run's figures are not trustworthy:\n${problems.map((p) => `!!   ${p}`).join('\n')}\n${'!'.repeat(72)}\n`)
  );
}

/** p50 and p99 of each second of each cell, seconds counted from the first cell's first result. */
export function latencySeries(figures: readonly CellFigures[]): Series[] {
  const t0 = Math.min(...figures.flatMap((f) => [...f.cell.perSecond.keys()]));
  return figures.map((f) => ({
    name: f.cell.name,
    points: [...f.cell.perSecond]
      .sort(([a], [b]) => a - b)
      .map(([t, values]) => {
        const [p50, p99] = percentiles(values, [50, 99]);
        return { t: t - t0, p50: p50!, p99: p99! };
      }),
  }));
}

const summary = (h: Cell['latency']) => ({ p50: h.getValueAtPercentile(50), p95: h.getValueAtPercentile(95), p99: h.getValueAtPercentile(99), max: h.maxValue, count: h.totalCount });

export function reportJson(run: RunFacts, series: readonly Series[], chart: { svg: string; png: string | null }) {
  const ceiling = rawRate(run.raw);
  return {
    at: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} ×${cpus().length}`,
    options: run.options,
    cells: run.figures.map((f) => {
      const c = f.cell;
      return {
        name: c.name,
        platformLatencyMs: c.latencyMs,
        rate: c.rate,
        events: c.events,
        offeredEventsPerSecond: f.offeredRate,
        expectedResults: c.expected,
        results: c.received,
        resultsPerSecond: resultsPerSecond(c),
        perPlatformResultsPerSecond: Object.fromEntries(PLATFORMS.map((p) => [p, platformRate(c, p)])),
        publishToResultMs: summary(c.latency),
        publishToResultMsByPlatform: Object.fromEntries(PLATFORMS.map((p) => [p, summary(c.byPlatform[p])])),
        stagesMs: Object.fromEntries(STAGES.map((st) => [st, summary(c.stages[st])])),
        unstampedResults: c.unstamped,
        stampBeforeSendResolvedMaxMs: c.stampBeforeSendMaxMs,
        serviceCpuMicrosPerResult: f.cpuMicrosPerResult,
        benchCpuMicrosPerResult: f.selfCpuMicrosPerResult,
        coresUsed: f.coresUsed,
        machineBusy: f.machineBusy,
        peakRssMb: f.peakRssMb,
        wallSeconds: f.seconds,
        perSecond: series.find((s) => s.name === c.name)?.points ?? [],
      };
    }),
    raw: run.raw,
    singleRecordToRaw: ceiling
      ? run.figures
          .filter((f) => f.cell.rate === 'flat')
          .map((f) => ({ cell: f.cell.name, benevity: platformRate(f.cell, 'benevity') / ceiling, workday: platformRate(f.cell, 'workday') / ceiling }))
      : null,
    runPeakRssMb: run.peakRunRssMb,
    stageSplit: run.stageSplit,
    exactlyOnce: { ok: run.problems.length === 0, problems: run.problems, tally: run.tally, simulators: run.simulators },
    chart,
  };
}
