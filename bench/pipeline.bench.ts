/**
 * The whole pipeline, black box: impact events in on the events topic, final results out on the
 * delivery-results topic, every stage a real `impact-in start` process (with the local stack:
 * `eval "$(bash deploy/local/stack.sh env)"` first):
 *
 *   node bench/pipeline.bench.ts [--latency 0,20,100] [--rates 100,500] [--seconds 10] [--events 3000]
 *                                [--partitions 6] [--json path] [--chart docs/images/pipeline-latency.svg] [--profile]
 *
 * One world (topic prefix, database, Redis key prefix, as the integration scenarios isolate), five
 * tenants each reporting to all three platforms, the three simulators in this process on loopback;
 * four service processes: `redactor,router,relay`, `deliver:benevity`, `deliver:goodera`,
 * `deliver:workday` (shipped defaults but for client rate limits set high enough never to bind).
 * After a warm-up batch, for each added platform latency (`--latency`, ms on every simulator
 * answer) the real publisher (src/publisher) sends sample events (dated by a fixed clock, fresh
 * ids) at each fixed rate of `--rates`
 * (events/s for `--seconds`), then `--events` at once (flat out, a backlog); each cell waits for
 * all its results before the next starts. An event fans out to every platform that takes its kind
 * (on average 2 results per event). Per cell:
 * - results/s: the cell's results ÷ (last result − first publish); per platform for the flat cell;
 * - publish → result p50/p95/p99/max (HDR histogram, ms): the result record's Kafka timestamp
 *   (the relay's produce) minus the `impact-published-at` header the pipeline carries from the
 *   input record's timestamp (the publisher's produce) — both this machine's clock;
 * - where that time goes, from each result's own firstAttemptAt and completedAt: publish → first
 *   attempt, handling, completed → result record (outbox and relay); after the run, publish → first
 *   attempt is split by the redacted and deliver records' timestamps (read then, so reading them
 *   costs the measurement nothing) into the redactor's transaction, the router's, and waiting for
 *   the deliverer;
 * - CPU µs per result: user+system of ALL service processes (/proc, all threads, 10 ms ticks)
 *   over the cell, ÷ its results; and of this process (publisher + simulators + result reader);
 * - cores used per service process (its CPU ÷ the cell's wall time: which stage binds) and how
 *   busy the whole machine was (others' processes too — a shared machine shows here);
 * - peak RSS per service process during the cell (VmRSS sampled every 250 ms); the run's peak
 *   (VmHWM) at the end.
 * Then, in the same run on the same broker, the raw kafkajs consume → produce rate of the same
 * messages (bench/pipeline/raw-copy.ts: the events topic copied as-is to a scratch topic), and the
 * ratio of each single-record platform's (Benevity, Workday) flat-out delivery rate to it — the
 * whole pipeline's rate per platform, so lower than a deliverer draining a seeded deliver topic
 * alone (bench/deliveries.bench.ts).
 * Every run checks nothing was lost or doubled: each (event, platform) result once on the results
 * topic, each simulator accepted exactly what was routed to it with no duplicates — and says so
 * loudly when not (and exits 1). Figures, not assertions. Writes a JSON report (`--json`, default
 * .stack/logs/bench/pipeline-<time>.json) and the latency-over-time chart as SVG (+ PNG when
 * /usr/bin/chromium exists) next to it, or where `--chart` says. Service logs:
 * .stack/logs/tests/bench-pipeline-*.log; `--profile` writes a V8 CPU profile of each service
 * process to .stack/logs/bench/ (open it in DevTools).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliveryResultCodec, redactedEventCodec } from '../src/codec/avro/contract-codecs.ts';
import { loadRegistryConfig } from '../src/config/config.ts';
import type { ImpactEvent } from '../src/domain/event.ts';
import { PLATFORMS } from '../src/domain/platform.ts';
import { ensureTopics } from '../src/kafka/kafkajs/admin.ts';
import { tailTopics } from '../src/kafka/kafkajs/topic-tail.ts';
import { allTopics, groupNames, topicConfigs, topicNames } from '../src/kafka/topics.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createImpactPublisher, loadPublisherConfig, type ImpactPublisher } from '../src/publisher/publisher.ts';
import { sampleEvents } from '../src/publisher/sample-events.ts';
import { createConfluentRegistry } from '../src/schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../src/schemas/schema-sync.ts';
import { patchKafkajsNegativeTimeout } from '../src/kafka/kafkajs/node-warnings.ts';
import { createScenarioEnv } from '../test/integration/helpers/env.ts';
import { spawnService, type ServiceProcess } from '../test/integration/helpers/service-process.ts';
import { BENCH_LOG_DIR, flag, machineCpu, processCpuMicros, processMemoryKb, selfCpuMicros } from './lib.ts';
import { latencyChartSvg, svgToPng } from './pipeline/chart.ts';
import { rawConsumeProduce, type RawCopy } from './pipeline/raw-copy.ts';
import { Cell, ResultsCollector } from './pipeline/results.ts';
import { latencySeries, renderText, reportJson, type CellFigures, type RunFacts } from './pipeline/report.ts';
import { dropScenario, profileEnv } from './pipeline/scenario.ts';
import { readStageStamps } from './pipeline/stamps.ts';
import { startBenchSimulators } from './pipeline/simulators.ts';

// The bench's own clients are kafkajs too: without the service's patch it warns of a negative timer.
patchKafkajsNegativeTimeout();

const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
/** The clock sample events are dated by: fixed, so a run's events do not depend on today. */
const EVENTS_NOW = new Date('2026-12-01T12:00:00Z');
const ROLES = ['redactor,router,relay', 'deliver:benevity', 'deliver:goodera', 'deliver:workday'];
/** A cell gives up when no result arrived for this long (what is missing then shows as lost). */
const STALL_MS = 60_000;

function list(name: string, fallback: string, min: number): number[] {
  const values = flag(name, fallback).split(',').filter(Boolean).map(Number);
  if (values.some((v) => !Number.isInteger(v) || v < min)) throw new Error(`--${name} must be a comma list of integers ≥ ${min}`);
  return values;
}
const LATENCIES = list('latency', '0,20,100', 0);
const RATES = list('rates', '100,500', 1);
const SECONDS = Number(flag('seconds', '10'));
const EVENTS = Number(flag('events', '3000'));
const PARTITIONS = Number(flag('partitions', '6'));
const STAMP = new Date().toISOString().replace(/[:.]/g, '-');
const JSON_PATH = flag('json', join(BENCH_LOG_DIR, `pipeline-${STAMP}.json`));
const CHART_PATH = flag('chart', join(BENCH_LOG_DIR, `pipeline-${STAMP}.svg`));
if (!Number.isFinite(SECONDS) || SECONDS <= 0) throw new Error('--seconds must be a positive number');
if (!Number.isInteger(EVENTS) || EVENTS < 1) throw new Error('--events must be a positive integer');
if (!Number.isInteger(PARTITIONS) || PARTITIONS < 1) throw new Error('--partitions must be a positive integer');
if (!CHART_PATH.endsWith('.svg')) throw new Error('--chart must name an .svg file (the PNG is written beside it)');

let seed = 100;
/** `count` sample events with fresh ids (sampleEvents' ids repeat per seed; a repeat would be a duplicate). */
function freshEvents(count: number): ImpactEvent[] {
  return sampleEvents(count, { tenants: TENANTS, seed: seed++, now: EVENTS_NOW, employeesPerTenant: 1_000 }).map((e) => ({ ...e, eventId: randomUUID() }) as ImpactEvent);
}

async function publish(publisher: ImpactPublisher, results: ResultsCollector, cell: Cell, events: readonly ImpactEvent[]) {
  await publisher.publishImpactEvents(events);
  const sentAt = Date.now();
  for (const event of events) results.register(cell, event.eventId, event.kind, sentAt);
}

async function runCell(
  cell: Cell,
  services: readonly ServiceProcess[],
  publisher: ImpactPublisher,
  results: ResultsCollector,
  seconds = SECONDS,
): Promise<CellFigures> {
  const pids = services.map((s) => s.child.pid!);
  const cpuOf = () => pids.map((pid) => processCpuMicros(pid));
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const peakRss = new Map<string, number>(ROLES.map((r) => [r, 0]));
  const sampleRss = () => services.forEach((s, i) => peakRss.set(ROLES[i]!, Math.max(peakRss.get(ROLES[i]!)!, processMemoryKb(s.child.pid!).rss)));
  const cpu0 = cpuOf();
  const machine0 = machineCpu();
  const self0 = selfCpuMicros();
  const t0 = performance.now();

  let publishing: Promise<void>;
  if (cell.rate === 'flat') {
    const events = freshEvents(EVENTS);
    // All at once: chunks of 500 sent back to back.
    publishing = (async () => {
      for (let i = 0; i < events.length; i += 500) await publish(publisher, results, cell, events.slice(i, i + 500));
    })();
  } else {
    const rate = cell.rate;
    const events = freshEvents(Math.round(rate * seconds));
    publishing = (async () => {
      const start = performance.now();
      let sent = 0;
      while (sent < events.length) {
        const due = Math.min(events.length, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
        if (due > sent) {
          await publish(publisher, results, cell, events.slice(sent, due));
          sent = due;
        }
        await sleep(10);
      }
    })();
  }
  let failed: unknown;
  publishing.catch((error: unknown) => (failed = error));

  let published = false;
  void publishing.then(() => (published = true)).catch(() => undefined);
  let lastProgress = performance.now();
  let lastCount = 0;
  for (;;) {
    await sleep(250);
    if (failed) throw failed;
    for (const s of services) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`a service process exited (${s.child.exitCode ?? s.child.signalCode}); see ${s.logFile}`);
    }
    sampleRss();
    await results.poll();
    const got = cell.receivedTotal;
    if (got !== lastCount) {
      lastCount = got;
      lastProgress = performance.now();
    }
    if (published && got >= cell.expectedTotal) break;
    if (published && performance.now() - lastProgress > STALL_MS) {
      process.stderr.write(`  ${cell.name}: no result for ${STALL_MS / 1000} s with ${got} of ${cell.expectedTotal}; moving on\n`);
      break;
    }
  }
  const got = Math.max(1, cell.receivedTotal);
  const cpu1 = cpuOf();
  const machine1 = machineCpu();
  const wall = (performance.now() - t0) / 1000;
  return {
    cell,
    seconds: wall,
    coresUsed: Object.fromEntries(ROLES.map((role, i) => [role, (cpu1[i]! - cpu0[i]!) / 1e6 / wall])),
    machineBusy: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
    offeredRate: cell.events / Math.max(0.001, (cell.lastPublishAt - cell.firstPublishAt) / 1000),
    cpuMicrosPerResult: (sum(cpu1) - sum(cpu0)) / got,
    selfCpuMicrosPerResult: (selfCpuMicros() - self0) / got,
    peakRssMb: Object.fromEntries([...peakRss].map(([role, kb]) => [role, kb / 1024])),
  };
}


const sims = await startBenchSimulators(TENANTS);
const scenario = await createScenarioEnv('benchpipeline', {
  ...sims.env,
  TOPIC_PARTITIONS: String(PARTITIONS),
  HTTP_REQUEST_TIMEOUT_MS: '15000',
  IDEMPOTENCY_LEASE_MS: '60000',
  // The test-world defaults (env.ts) are tuned for fast scenarios; a bench measures the shipped ones.
  OUTBOX_POLL_INTERVAL_MS: '250',
  DELIVERY_BACKOFF_BASE_MS: '200',
  DELIVERY_BACKOFF_MAX_MS: '30000',
});
const topics = topicNames(scenario.env.TOPIC_PREFIX!);
const scratch = `${scenario.env.TOPIC_PREFIX}bench.raw-copy`;
const groups = groupNames(scenario.env.TOPIC_PREFIX!);
const rawGroup = `${scenario.env.TOPIC_PREFIX}bench.raw-copy`;
const services: ServiceProcess[] = [];
let publisher: ImpactPublisher | undefined;
let tail: Awaited<ReturnType<typeof tailTopics>> | undefined;
const figures: CellFigures[] = [];
let raw: RawCopy | undefined;
let rawError: string | undefined;
let exitCode = 0;
try {
  for (const tenant of TENANTS) {
    await scenario.tenants.upsertTenant(tenant, tenant);
    for (const platform of PLATFORMS) await scenario.tenants.upsertPlatform(tenant, platform, sims.credentials(platform, tenant));
  }
  await ensureTopics(scenario.kafka, [...allTopics(topics), scratch], { partitions: PARTITIONS, replicationFactor: 1, configs: topicConfigs(topics) });
  const registry = createConfluentRegistry(loadRegistryConfig(scenario.env));
  await pushSchemas(registry, { topics });
  publisher = await createImpactPublisher(loadPublisherConfig(scenario.env), createLogger('warn'));
  tail = await tailTopics(scenario.kafka, [topics.results], `${scenario.env.TOPIC_PREFIX}bench.results`);
  const runStart = Date.now();
  const results = new ResultsCollector(tail, topics.results, deliveryResultCodec(registry, topics.results), runStart);

  for (const role of ROLES) services.push(spawnService(`bench-pipeline-${role.replace(/[:,]/g, '-')}`, { ...scenario.env, ...profileEnv(BENCH_LOG_DIR) }, role));
  await Promise.all(services.map((s) => s.started));

  // Warm-up (JIT, connections, OAuth tokens, the first rebalances); counted in the loss check only.
  process.stderr.write('warm-up: 200 events at 100/s…\n');
  await runCell(new Cell('warm-up', 0, 100), services, publisher, results, 2).catch((error: unknown) => {
    throw new Error(`warm-up failed: ${(error as Error).message}`);
  });

  for (const latency of LATENCIES) {
    sims.setLatency(latency);
    for (const rate of [...RATES, 'flat' as const]) {
      const cell = new Cell(`${latency} ms, ${rate === 'flat' ? `flat ${EVENTS}` : `${rate}/s`}`, latency, rate);
      process.stderr.write(`${cell.name}…\n`);
      figures.push(await runCell(cell, services, publisher, results));
    }
  }
  sims.setLatency(0);
  const peakRunRssMb = Object.fromEntries(services.map((s, i) => [ROLES[i]!, processMemoryKb(s.child.pid!).peak / 1024]));

  process.stderr.write('raw kafkajs consume → produce of the events topic…\n');
  try {
    raw = await rawConsumeProduce(scenario.kafka, topics.events, scratch, rawGroup, 50_000, 2);
  } catch (error) {
    rawError = (error as Error).message;
  }

  // Loss and doubling, over every event published (warm-up included).
  await sleep(1000);
  await results.poll();
  const tally = results.tally();
  const simStats = sims.stats();
  process.stderr.write('reading the redacted and deliver topics for the stage split…\n');
  const stageSplit = await readStageStamps(
    scenario.kafka,
    topics,
    redactedEventCodec(registry, topics.redacted),
    { redacted: results.registered, deliver: tally.expected },
    `${scenario.env.TOPIC_PREFIX}bench.stamps`,
  ).then(
    (stamps) => ({ split: results.splitFront(stamps.redactedAt, stamps.routedAt), of: results.firstSeen }),
    (error: unknown) => ({ split: 0, of: results.firstSeen, error: (error as Error).message }),
  );
  const problems: string[] = [];
  if (tally.lost > 0) problems.push(`${tally.lost} (event, platform) results LOST (never on the results topic)`);
  if (tally.doubled > 0) problems.push(`${tally.doubled} results DOUBLED on the results topic`);
  if (tally.unexpected > 0) problems.push(`${tally.unexpected} results for events or platforms nothing published or routed`);
  for (const [status, n] of Object.entries(tally.notDelivered)) problems.push(`${n} results with status ${status}`);
  for (const p of PLATFORMS) {
    const s = simStats[p];
    if (s.accepted !== tally.expected[p] || s.duplicates > 0) {
      problems.push(`${p} simulator accepted ${s.accepted} of ${tally.expected[p]} routed, ${s.duplicates} duplicates`);
    }
  }

  const run: RunFacts = {
    options: { latencies: LATENCIES, rates: RATES, seconds: SECONDS, events: EVENTS, partitions: PARTITIONS, roles: ROLES },
    figures,
    raw: raw ?? { error: rawError ?? 'not run' },
    peakRunRssMb,
    tally,
    simulators: simStats,
    stageSplit,
    problems,
  };
  process.stdout.write(renderText(run));
  if (problems.length > 0) exitCode = 1;

  // Chart and JSON report.
  const series = latencySeries(figures);
  mkdirSync(dirname(CHART_PATH), { recursive: true });
  const svg = latencyChartSvg(`impact-in publish → result latency per second (${LATENCIES.join('/')} ms platform latency)`, series);
  writeFileSync(CHART_PATH, svg);
  const pngPath = CHART_PATH.replace(/\.svg$/, '.png');
  const png = await svgToPng(svg, pngPath).catch((error: unknown) => {
    process.stderr.write(`PNG not written: ${(error as Error).message}\n`);
    return false;
  });
  process.stdout.write(`chart: ${CHART_PATH}${png ? ` and ${pngPath}` : ' (no PNG: /usr/bin/chromium not found)'}\n`);
  mkdirSync(dirname(JSON_PATH), { recursive: true });
  writeFileSync(JSON_PATH, `${JSON.stringify(reportJson(run, series, { svg: CHART_PATH, png: png ? pngPath : null }), null, 2)}\n`);
  process.stdout.write(`report: ${JSON_PATH}\n`);
} finally {
  await Promise.all(services.map((s) => s.stop()));
  await publisher?.close().catch(() => undefined);
  await tail?.stop().catch(() => undefined);
  await sims.close();
  await dropScenario(scenario, [groups.redactor, groups.router, ...Object.values(groups.deliver), rawGroup]);
}
process.exitCode = exitCode;
