/**
 * impact-in's Goodera deliverer beside a plain Apache Camel route on the same simulator and broker:
 * how fast, and at what CPU and memory, does `kafka → POST /v1/impact-records → kafka` run when it
 * is written as a bare Camel 4 route (bench/camel/src/main/java/bench/CamelRoute.java: no
 * idempotency store, no outbox, no batching, camel-kafka's and camel-http's defaults)? With the
 * local stack (`eval "$(bash deploy/local/stack.sh env)"` first) and Java 17 + Maven:
 *
 *   node bench/camel.bench.ts [--events 30000] [--partitions 6] [--latency 0] [--employees 1000] [--java-opts "-Xmx512m"] [--json path]
 *
 * Compare with `node bench/deliveries.bench.ts --only goodera --events 30000 --paced 0` (same
 * simulator, tenants, latency flag and broker). Builds bench/camel/target/camel-bench.jar when it
 * is missing (`mvn -q -f bench/camel/pom.xml package -DskipTests`). Fresh input and output topics
 * per run (`--partitions`, 6 by default; the route runs one consumer thread per partition); N
 * sample events (src/publisher/sample-events.ts, fresh ids) go through the real redactor and the
 * real Goodera mapper (src/connectors/goodera/goodera.mapper.ts), so each message's value is the
 * JSON body impact-in would send for it, its key the idempotency key impact-in would use (the
 * route sends it as `idempotency-key`), and its `x-api-key` header its tenant's key (five tenants,
 * as deliveries.bench.ts). Then ONE `java -jar` process drains the backlog into the Goodera
 * simulator (in this process, on loopback, rate limit off; `--latency ms` added to every answer)
 * and produces each response to the output topic. Figures:
 * - records/s on the output topic after the first 10 % (warm-up: JVM start, JIT, group join);
 * - wall time: process start → N records out, and the start-up part of it (→ first record out);
 * - the Camel process's CPU µs per record (/proc, user+system, all threads), after the warm-up and
 *   over the whole run (JVM start included); peak resident memory (VmHWM);
 * - the simulator's accepted and duplicate counts (a plain route has no idempotency: a redelivery
 *   is a duplicate). Fewer than N accepted exits 1.
 * `--json path` writes the figures as JSON too. The route's log: .stack/logs/bench/camel-<time>.log.
 * Figures, not assertions.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { toGooderaRecord } from '../src/connectors/goodera/goodera.mapper.ts';
import { createSecretBox } from '../src/crypto/secret-box.ts';
import type { ImpactEvent } from '../src/domain/event.ts';
import { idempotencyKey } from '../src/domain/idempotency-key.ts';
import { ensureTopics } from '../src/kafka/kafkajs/admin.ts';
import { patchKafkajsNegativeTimeout } from '../src/kafka/kafkajs/node-warnings.ts';
import { createKafkaSink } from '../src/kafka/kafkajs/producer.ts';
import type { OutboundMessage } from '../src/kafka/ports.ts';
import { sampleEvents } from '../src/publisher/sample-events.ts';
import { POLICY } from '../src/redaction/policy/policy.ts';
import { createPseudonymizer } from '../src/redaction/pseudonym.ts';
import { createRedactor } from '../src/redaction/redact.ts';
import { GOODERA_ROUTES, startGooderaSimulator } from '../src/simulators/goodera/index.ts';
import { BENCH_LOG_DIR, flag, processCpuMicros, processPeakRssMb, table } from './lib.ts';

patchKafkajsNegativeTimeout();

const ROOT = new URL('../', import.meta.url).pathname;
const POM = join(ROOT, 'bench', 'camel', 'pom.xml');
const JAR = join(ROOT, 'bench', 'camel', 'target', 'camel-bench.jar');
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const apiKeyOf = (tenant: string) => `key-${tenant}-0123456789`;

const EVENTS = Number(flag('events', '30000'));
const PARTITIONS = Number(flag('partitions', '6'));
const LATENCY_MS = Number(flag('latency', '0'));
const EMPLOYEES = Number(flag('employees', '1000'));
const JAVA_OPTS = flag('java-opts', '').split(' ').filter(Boolean);
const JSON_PATH = flag('json', '');
if (!Number.isInteger(EVENTS) || EVENTS < 50) throw new Error('--events must be an integer ≥ 50');
if (!Number.isInteger(PARTITIONS) || PARTITIONS < 1) throw new Error('--partitions must be a positive integer');
if (!Number.isInteger(LATENCY_MS) || LATENCY_MS < 0) throw new Error('--latency must be an integer ≥ 0 (ms)');
if (!Number.isInteger(EMPLOYEES) || EMPLOYEES < 1) throw new Error('--employees must be a positive integer');
/** No new output record for this long: the route is stuck or failing (see its log). */
const STALL_MS = 120_000 + 20 * LATENCY_MS;

const STAMP = new Date().toISOString().replace(/[:.]/g, '-');
const RUN = `camelbench.${randomBytes(4).toString('hex')}`;
const TOPICS = { in: `${RUN}.in`, out: `${RUN}.out` };
const GROUP = `${RUN}.route`;

/** N messages as the Goodera deliverer would send them: redacted, mapped, keyed by the idempotency key. */
function backlog(count: number): OutboundMessage[] {
  const key32 = () => new Map([['k1', randomBytes(32)]]);
  const redactor = createRedactor(POLICY, createPseudonymizer(key32(), 'k1'), createSecretBox(key32(), 'k1'));
  const now = new Date();
  return sampleEvents(count, { tenants: TENANTS, seed: 11, now, employeesPerTenant: EMPLOYEES }).map((sample) => {
    const event = redactor.redact({ ...sample, eventId: randomUUID() } as ImpactEvent, now).event;
    const key = idempotencyKey('goodera', event.tenantId, event.eventId, event.payload);
    const record = toGooderaRecord(event, key, { apiKey: apiKeyOf(event.tenantId), organizationId: `org-${event.tenantId}` });
    return { topic: TOPICS.in, key, value: JSON.stringify(record), headers: { 'x-api-key': apiKeyOf(event.tenantId) } };
  });
}

/** Messages on a topic: the sum of its high watermarks (nothing is deleted during a run). */
async function messagesOn(admin: ReturnType<Kafka['admin']>, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

interface Sample {
  readonly at: number;
  readonly count: number;
  readonly cpu: number;
}

/** Polls the output topic until `target` records, sampling the route's CPU at each poll. */
async function waitForOutput(admin: ReturnType<Kafka['admin']>, child: ChildProcess, target: number, logFile: string): Promise<Sample[]> {
  const samples: Sample[] = [];
  let progressAt = performance.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the Camel process exited (${child.exitCode ?? child.signalCode}) — see ${logFile}`);
    const sample = { at: performance.now(), count: await messagesOn(admin, TOPICS.out), cpu: processCpuMicros(child.pid!) };
    if (sample.count > (samples.at(-1)?.count ?? 0)) progressAt = sample.at;
    samples.push(sample);
    if (sample.count >= target) return samples;
    if (sample.at - progressAt > STALL_MS) throw new Error(`no progress for ${STALL_MS / 1000} s at ${sample.count} of ${target} records out — see ${logFile}`);
    await sleep(100);
  }
}

/** Stops the route: SIGTERM (Camel shuts its routes down), SIGKILL after 10 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/** `openjdk 17.0.15`: the first line of `java -version`, whose answer goes to stderr. */
const javaVersion = () => spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0]?.replace(/ version "(.*)".*/, ' $1') ?? 'java';

if (!existsSync(JAR)) {
  process.stderr.write(`building ${JAR}…\n`);
  const build = spawnSync('mvn', ['-q', '-f', POM, 'package', '-DskipTests'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`mvn package failed (${build.status ?? build.signal})`);
}

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'camel-bench', brokers, logLevel: logLevel.WARN });
const admin = kafka.admin();
const producer = createKafkaSink(kafka);
const sim = await startGooderaSimulator({ apiKeys: Object.fromEntries(TENANTS.map((t) => [apiKeyOf(t), t])), rateLimitPerMinute: 0 });
if (LATENCY_MS > 0) sim.injectFault({ route: '*', kind: 'latency', ms: LATENCY_MS });
let child: ChildProcess | undefined;
// Interrupted, or ended by an error, the run still takes the Camel process down with it.
process.once('exit', () => child?.kill('SIGKILL'));
process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));

let failed = false;
try {
  await admin.connect();
  await ensureTopics(kafka, [TOPICS.in, TOPICS.out], { partitions: PARTITIONS, replicationFactor: 1 });
  process.stderr.write(`seeding ${EVENTS} impact records onto ${TOPICS.in}…\n`);
  const messages = backlog(EVENTS);
  await producer.connect();
  for (let i = 0; i < messages.length; i += 500) await producer.send(messages.slice(i, i + 500));
  const seeded = await messagesOn(admin, TOPICS.in);
  if (seeded !== EVENTS) throw new Error(`seeded ${seeded} messages for ${EVENTS} records`);

  mkdirSync(BENCH_LOG_DIR, { recursive: true });
  const logFile = join(BENCH_LOG_DIR, `camel-${STAMP}.log`);
  const log = createWriteStream(logFile);
  process.stderr.write(`draining with the Camel route (log: ${logFile})…\n`);
  const startedAt = performance.now();
  child = spawn('java', [...JAVA_OPTS, '-jar', JAR], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      CAMEL_IN_TOPIC: TOPICS.in,
      CAMEL_OUT_TOPIC: TOPICS.out,
      CAMEL_GROUP_ID: GROUP,
      CAMEL_CONSUMERS: String(PARTITIONS),
      GOODERA_URL: sim.url,
      GOODERA_API_KEY: apiKeyOf(TENANTS[0]!),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const samples = await waitForOutput(admin, child, EVENTS, logFile);
  const peakRssMb = processPeakRssMb(child.pid!);
  await stop(child);

  const first = samples.find((s) => s.count > 0)!;
  const warm = samples.find((s) => s.count >= Math.ceil(EVENTS / 10))!;
  const last = samples.at(-1)!;
  const stats = sim.stats();
  const figures = {
    events: EVENTS,
    partitions: PARTITIONS,
    latencyMs: LATENCY_MS,
    recordsPerSecond: (last.count - warm.count) / ((last.at - warm.at) / 1000),
    wallSeconds: (last.at - startedAt) / 1000,
    startupSeconds: (first.at - startedAt) / 1000,
    cpuMicrosPerRecord: (last.cpu - warm.cpu) / (last.count - warm.count),
    cpuMicrosPerRecordWholeRun: last.cpu / last.count,
    peakRssMb,
    recordsOut: last.count,
    accepted: stats.accepted,
    duplicates: stats.duplicates,
    requests: stats.requests[GOODERA_ROUTES.create] ?? {},
  };
  const n = (value: number, digits = 0) => value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  process.stdout.write(
    `plain Camel route kafka → http → kafka — camel 4.22.0 on ${javaVersion()}, node ${process.version} bench, ` +
      `${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${EVENTS} Goodera impact records backlog, ${PARTITIONS} partitions (${PARTITIONS} consumer threads), ` +
      `${TENANTS.length} tenant API keys, Goodera simulator in the bench process on loopback, rate limit off, ` +
      `${LATENCY_MS === 0 ? 'no added latency' : `${LATENCY_MS} ms added to every answer`}.\n` +
      `records/s and CPU/record exclude the first 10 % (warm-up); wall = java start → last record out.\n\n`,
  );
  process.stdout.write(
    table(
      ['route', 'records/s', 'wall s', 'start-up s', 'CPU µs/record', 'same, whole run', 'peak RSS', 'accepted', 'duplicates'],
      [
        [
          'camel (plain)',
          n(figures.recordsPerSecond),
          n(figures.wallSeconds, 1),
          n(figures.startupSeconds, 1),
          n(figures.cpuMicrosPerRecord),
          n(figures.cpuMicrosPerRecordWholeRun),
          `${peakRssMb} MB`,
          n(stats.accepted),
          n(stats.duplicates),
        ],
      ],
    ),
  );
  process.stdout.write(`\n- POST /v1/impact-records answers: ${JSON.stringify(figures.requests)}\n`);
  if (JSON_PATH) {
    mkdirSync(dirname(JSON_PATH), { recursive: true });
    writeFileSync(JSON_PATH, `${JSON.stringify(figures, null, 2)}\n`);
  }
  if (stats.accepted < EVENTS) {
    process.stdout.write(`- FAILED: the simulator accepted ${stats.accepted} of ${EVENTS} records — see ${logFile}\n`);
    failed = true;
  }
} catch (error) {
  process.stderr.write(`camel bench failed: ${(error as Error).message}\n`);
  failed = true;
} finally {
  if (child) await stop(child);
  await producer.disconnect().catch(() => undefined);
  // Leave nothing on the shared broker: the group (empty once the route stopped) and both topics.
  await admin.deleteGroups([GROUP]).catch(() => undefined);
  await admin.deleteTopics({ topics: [TOPICS.in, TOPICS.out] }).catch(() => undefined);
  await admin.disconnect();
  await sim.close();
}
process.exit(failed ? 1 : 0);
