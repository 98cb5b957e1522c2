/**
 * Deliveries per second per platform, end to end through the real delivery path, against each
 * platform's simulator over real HTTP on loopback with zero added latency (with the local stack:
 * `eval "$(bash deploy/local/stack.sh env)"` first):
 *
 *   node bench/deliveries.bench.ts [--events 2000] [--partitions 6] [--latency 0] [--employees 1000] [--paced 0.5] [--only goodera,workday,…] [--goodera-limit 0] [--profile]
 *
 * `--latency ms` adds that much to every simulator answer (a real platform's 20–100 ms).
 * `--employees n` per tenant (default 1,000): each (tenant, employee) is an ordering key whose
 * events go one at a time, so few keys bound the concurrency inside a partition.
 * `--goodera-limit n` holds each Goodera API key to n requests per minute, at the client's limiter
 * and the simulator (Goodera's documented 100): what a rate-limited key delivers per minute.
 *
 * Per platform: its own database, topic prefix, consumer group and Redis key prefix (as the
 * integration scenarios isolate), five tenants configured for it, N events redacted by the real
 * redactor and seeded onto the platform's deliver topic; then ONE service process
 * (`impact-in start --role deliver:<platform>`: the real Kafka consumer group, Redis idempotency
 * claim/complete, the Redis rate limiter, the breaker, the connector, and the delivery row + outbox
 * row in one PostgreSQL transaction) drains the backlog. Figures:
 * - deliveries/s over the backlog after the first 10 % (warm-up: JIT, connections, OAuth tokens);
 * - handling latency per delivery from its row: first attempt → row recorded (p50/p95/p99);
 * - publish → row recorded at half the measured rate (a second, paced batch of N/2 events);
 * - CPU µs per delivery of the service process (/proc, user+system, all threads), saturated and
 *   paced; and of this process, which runs the simulator and the publisher;
 * - the service process's peak resident memory (VmHWM) over the whole run.
 * `--paced f` sizes the paced batch as f × events (default 0.5; 0 skips it, e.g. for a
 * million-event backlog run: `--events 1000000 --paced 0`, with node --max-old-space-size=8192).
 * Figures, not assertions; a run that loses, doubles or fails deliveries says so. `--profile`
 * writes a V8 CPU profile of each service process to .stack/logs/bench/ (open it in DevTools).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnService, type ServiceProcess } from '../test/integration/helpers/service-process.ts';
import { dropScenario, profileEnv } from './pipeline/scenario.ts';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { orderingKey, type EventKind, type ImpactEvent } from '../src/domain/event.ts';
import type { Platform } from '../src/domain/platform.ts';
import { ensureTopics } from '../src/kafka/kafkajs/admin.ts';
import { createKafkaSink } from '../src/kafka/kafkajs/producer.ts';
import { allTopics, groupNames, topicConfigs, topicNames } from '../src/kafka/topics.ts';
import { redactedEventCodec } from '../src/codec/avro/contract-codecs.ts';
import { createConfluentRegistry } from '../src/schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../src/schemas/schema-sync.ts';
import { sampleEvents } from '../src/publisher/sample-events.ts';
import { POLICY } from '../src/redaction/policy/policy.ts';
import { createPseudonymizer } from '../src/redaction/pseudonym.ts';
import { createRedactor } from '../src/redaction/redact.ts';
import { createSecretBox } from '../src/crypto/secret-box.ts';
import { startBenevitySimulator } from '../src/simulators/benevity/index.ts';
import { GOODERA_ROUTES, startGooderaSimulator } from '../src/simulators/goodera/index.ts';
import { startWorkdaySimulator } from '../src/simulators/workday/index.ts';
import { createScenarioEnv, type ScenarioEnv } from '../test/integration/helpers/env.ts';
import { patchKafkajsNegativeTimeout } from '../src/kafka/kafkajs/node-warnings.ts';
import { flag, machineCpu, percentiles, processCpuMicros, processPeakRssMb, table } from './lib.ts';

// The bench's own producer is kafkajs too: without the service's patch it warns of a negative timer.
patchKafkajsNegativeTimeout();

const ROOT = new URL('../', import.meta.url).pathname;
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const CALLBACK_SECRET = 'callback-secret-bench-0123456789';

const EVENTS = Number(flag('events', '2000'));
const PARTITIONS = Number(flag('partitions', '6'));
const LATENCY_MS = Number(flag('latency', '0'));
/** Distinct employees per tenant: each (tenant, employee) is an ordering key, delivered one at a time. */
const EMPLOYEES = Number(flag('employees', '1000'));
const PACED = Number(flag('paced', '0.5'));
/** Goodera requests per minute per API key, at the client limiter and the simulator (0: limits off, the default). */
const GOODERA_LIMIT = Number(flag('goodera-limit', '0'));
if (!Number.isInteger(GOODERA_LIMIT) || GOODERA_LIMIT < 0) throw new Error('--goodera-limit must be an integer ≥ 0 (requests per minute per API key)');
/** Long enough for a large backlog at a few hundred deliveries/s. */
const DRAIN_TIMEOUT_MS = Math.max(300_000, EVENTS * 2);
if (!Number.isInteger(EMPLOYEES) || EMPLOYEES < 1) throw new Error('--employees must be a positive integer');
if (!Number.isInteger(LATENCY_MS) || LATENCY_MS < 0) throw new Error('--latency must be an integer ≥ 0 (ms)');
/** Every route of a simulator answers LATENCY_MS later. */
const slow = (sim: { injectFault(spec: unknown): unknown }) => {
  if (LATENCY_MS > 0) sim.injectFault({ route: '*', kind: 'latency', ms: LATENCY_MS });
};
if (!Number.isInteger(EVENTS) || EVENTS < 50) throw new Error('--events must be an integer ≥ 50');
if (!(PACED >= 0 && PACED <= 1)) throw new Error('--paced must be a fraction of --events between 0 and 1');
if (!Number.isInteger(PARTITIONS) || PARTITIONS < 1) throw new Error('--partitions must be a positive integer');

/** The simulator(s) one variant runs against, and the environment pointing the service at them. */
interface Simulated {
  readonly env: Record<string, string>;
  credentials(tenant: string): Record<string, string>;
  stats(): { accepted: number; duplicates: number };
  /** Anything else worth a note (Benevity: callback POSTs per import). */
  detail?(): string;
  close(): Promise<void>;
}

interface Variant {
  readonly name: string;
  readonly platform: Platform;
  readonly kinds: readonly EventKind[];
  readonly note: string;
  start(): Promise<Simulated>;
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'benevity (donations)',
    platform: 'benevity',
    kinds: ['donation'],
    note: 'one synchronous POST per donation; limiter 100 000/min burst 1 000 per client',
    start: () => startBenevity(),
  },
  {
    name: 'benevity (hours, async)',
    platform: 'benevity',
    kinds: ['volunteer_activity'],
    note: 'one bulk import per record; final row written by the signed callback (import delay 0)',
    start: () => startBenevity(),
  },
  {
    name: 'goodera',
    platform: 'goodera',
    kinds: ['volunteer_activity', 'donation', 'program_enrolment', 'program_outcome'],
    note:
      GOODERA_LIMIT > 0
        ? `batches of ≤ 100 per tenant request; ${GOODERA_LIMIT} requests/min per API key (5 keys) at the limiter and the simulator`
        : 'batches of ≤ 100 per tenant request; limiter 100 000/min per API key (5 keys), simulator limit off',
    start: async () => {
      const apiKeys = Object.fromEntries(TENANTS.map((tenant) => [`key-${tenant}-0123456789`, tenant]));
      const sim = await startGooderaSimulator({ apiKeys, rateLimitPerMinute: GOODERA_LIMIT });
      slow(sim);
      return {
        env: { GOODERA_BASE_URL: sim.url, GOODERA_RATE_LIMIT_PER_MINUTE: String(GOODERA_LIMIT > 0 ? GOODERA_LIMIT : 100_000) },
        credentials: (tenant) => ({ apiKey: `key-${tenant}-0123456789`, organizationId: `org-${tenant}` }),
        stats: () => sim.stats(),
        detail: () => {
          const { accepted, requests } = sim.stats();
          const byStatus = requests[GOODERA_ROUTES.batch] ?? {};
          const sent = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
          const answered = byStatus['207'] ?? 0;
          return `${sent} batch requests (${JSON.stringify(byStatus)}), ${(accepted / Math.max(1, answered)).toFixed(1)} records per answered request`;
        },
        close: () => sim.close(),
      };
    },
  },
  {
    name: 'workday',
    platform: 'workday',
    kinds: ['volunteer_activity', 'program_enrolment'],
    note: 'one POST per record, OAuth token from PostgreSQL; limiter 100 000/min burst 1 000 per tenant',
    start: async () => {
      const creds = (t: string) => ({ tenant: `${t}_prod`, clientId: 'impact-in', clientSecret: `wd-${t}-0123456789`, refreshToken: `refresh-${t}-0123` });
      const sim = await startWorkdaySimulator({
        tenants: Object.fromEntries(TENANTS.map((t) => [creds(t).tenant, { clientId: 'impact-in', clientSecret: creds(t).clientSecret, refreshToken: creds(t).refreshToken }])),
      });
      slow(sim);
      return {
        env: { WORKDAY_BASE_URL: sim.url, WORKDAY_RATE_LIMIT_PER_MINUTE: '100000', WORKDAY_RATE_LIMIT_BURST: '1000' },
        credentials: creds,
        stats: () => sim.stats(),
        close: () => sim.close(),
      };
    },
  },
];

async function startBenevity(): Promise<Simulated> {
  const creds = (t: string) => ({ clientId: `client-${t}`, clientSecret: `secret-${t}-0123`, callbackSecret: CALLBACK_SECRET });
  const sim = await startBenevitySimulator({
    clients: Object.fromEntries(TENANTS.map((t) => [creds(t).clientId, creds(t).clientSecret])),
    callbackSecret: CALLBACK_SECRET,
    importDelayMs: 0,
  });
  slow(sim);
  return {
    env: { BENEVITY_BASE_URL: sim.url, BENEVITY_RATE_LIMIT_PER_MINUTE: '100000', BENEVITY_RATE_LIMIT_BURST: '1000' },
    credentials: creds,
    stats: () => sim.stats(),
    // More POSTs than imports: a callback was refused (e.g. it outran the submission's commit) and re-sent.
    detail: () => {
      const { callbacks, imports } = sim.stats();
      return imports.completed === 0 ? '' : `${callbacks.attempts} callback POSTs for ${imports.completed} imports`;
    },
    close: () => sim.close(),
  };
}

/** `count` sample events of the given kinds across the tenants, each with a fresh id. */
function eventsOf(kinds: readonly EventKind[], count: number, seed: number): ImpactEvent[] {
  const perCycle = kinds.length / 4; // sampleEvents cycles through the four kinds
  const pool = sampleEvents(Math.ceil(count / perCycle) + 4, { tenants: TENANTS, seed, now: new Date(), employeesPerTenant: EMPLOYEES });
  return pool
    .filter((event) => kinds.includes(event.kind))
    .slice(0, count)
    .map((event) => ({ ...event, eventId: randomUUID() }) as ImpactEvent);
}

const selfCpu = () => {
  const used = process.cpuUsage();
  return used.user + used.system;
};

interface Sample {
  readonly at: number;
  readonly count: number;
  readonly cpu: number;
  readonly selfCpu: number;
  readonly machine: { busy: number; total: number };
}

/** Polls the delivery rows until `target` exist, sampling both processes' CPU at each poll. */
async function waitForRows(scenario: ScenarioEnv, child: ChildProcess, target: number, timeoutMs: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = Date.now() + timeoutMs;
  const pid = child.pid!;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited (${child.exitCode ?? child.signalCode})`);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from impact_deliveries`.execute(scenario.db);
    const sample = { at: performance.now(), count: rows[0]!.n, cpu: processCpuMicros(pid), selfCpu: selfCpu(), machine: machineCpu() };
    samples.push(sample);
    if (sample.count >= target) return samples;
    if (Date.now() > deadline) throw new Error(`timed out with ${sample.count} of ${target} delivery rows`);
    await sleep(100);
  }
}

const pcts = (values: readonly number[]) => percentiles(values, [50, 95, 99]).map((ms) => ms.toFixed(0)).join(' / ');

/** Messages on a topic (sum of high watermarks; nothing is ever deleted during a run). */
async function messagesOn(scenario: ScenarioEnv, topic: string): Promise<number> {
  const admin = scenario.kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Sum and count of a histogram on the service's /metrics (e.g. rate-limit waits). */
async function histogram(port: number, name: string): Promise<{ count: number; sum: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const total = (suffix: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}_${suffix}`))
      .reduce((acc, line) => acc + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return { count: total('count'), sum: total('sum') };
}

interface Figures {
  readonly rate: number;
  readonly handling: string;
  readonly endToEnd: string;
  readonly pacedRate: number;
  readonly cpuSaturated: number;
  readonly cpuPaced: number;
  readonly selfCpu: number;
  readonly machineBusy: number;
  readonly peakRssMb: number;
  readonly notes: string[];
}

/** CPU and rows between the first sample at ≥ `from` rows and the last sample. */
function window(samples: readonly Sample[], from: number) {
  const a = samples.find((s) => s.count >= from) ?? samples[0]!;
  const b = samples.at(-1)!;
  const rows = b.count - a.count;
  const machineBusy = (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total);
  return { rows, seconds: (b.at - a.at) / 1000, cpu: (b.cpu - a.cpu) / rows, selfCpu: (b.selfCpu - a.selfCpu) / rows, machineBusy };
}

async function runVariant(variant: Variant): Promise<Figures> {
  const sim = await variant.start();
  const scenario = await createScenarioEnv(`bench${variant.platform}`, {
    ...sim.env,
    TOPIC_PARTITIONS: String(PARTITIONS),
    HTTP_REQUEST_TIMEOUT_MS: '15000',
    IDEMPOTENCY_LEASE_MS: '60000',
  }).catch(async (error: unknown) => {
    await sim.close();
    throw error;
  });
  // The service's own idempotent producer (murmur2 partitioning, as the router's): a retried
  // produce (NOT_LEADER just after the topics are created is common) must not put a second copy
  // of an event on the topic — the run seeds exactly N.
  const producer = createKafkaSink(scenario.kafka);
  let service: ServiceProcess | undefined;
  try {
    for (const tenant of TENANTS) {
      await scenario.tenants.upsertTenant(tenant, tenant);
      await scenario.tenants.upsertPlatform(tenant, variant.platform, sim.credentials(tenant));
    }
    const config = loadConfig(scenario.env);
    const topics = topicNames(config.kafka.topicPrefix);
    await ensureTopics(scenario.kafka, allTopics(topics), { partitions: PARTITIONS, replicationFactor: 1, configs: topicConfigs(topics) });
    // Every topic speaks the registry's wire format: the contracts under this run's subjects.
    const schemaRegistry = createConfluentRegistry(config.schemaRegistry);
    await pushSchemas(schemaRegistry, { topics });
    const redactedCodec = redactedEventCodec(schemaRegistry, topics.redacted);
    // What the redactor stage would have written: the real redactor under the shipped policy.
    const redactor = createRedactor(
      POLICY,
      createPseudonymizer(config.pseudonyms.keys, config.pseudonyms.keyId),
      createSecretBox(config.secrets.keys, config.secrets.keyId),
    );
    const topic = topics.deliver[variant.platform];
    // The bytes the router would forward: redacted events in the wire format.
    const messagesOf = (events: readonly ImpactEvent[]) =>
      Promise.all(
        events.map(async (event) => {
          const redacted = redactor.redact(event, new Date()).event;
          return { topic, key: orderingKey(redacted), value: await redactedCodec.encode(redacted), eventId: redacted.eventId };
        }),
      );
    await producer.connect();
    const backlog = await messagesOf(eventsOf(variant.kinds, EVENTS, 11));
    for (let i = 0; i < backlog.length; i += 500) await producer.send(backlog.slice(i, i + 500));
    const seeded = await messagesOn(scenario, topic);
    if (seeded !== backlog.length) throw new Error(`seeded ${seeded} messages for ${backlog.length} events`);

    // 1. Saturated: the service drains the backlog.
    service = spawnService(`bench-deliveries-${variant.platform}`, { ...scenario.env, ...profileEnv(join(ROOT, '.stack', 'logs', 'bench')) }, `deliver:${variant.platform}`);
    const healthPort = await service.started;
    const saturated = await waitForRows(scenario, service.child, EVENTS, DRAIN_TIMEOUT_MS);
    const sat = window(saturated, Math.ceil(EVENTS / 10));
    const rate = sat.rows / sat.seconds;
    const backlogDetail = sim.detail?.();

    // 2. Paced at half that rate: publish → row recorded.
    const paced = PACED > 0 ? await messagesOf(eventsOf(variant.kinds, Math.floor(EVENTS * PACED), 12)) : [];
    const publishedAt = new Map<string, number>();
    const pacedRate = rate / 2;
    const pacing = (async () => {
      const start = Date.now();
      let sent = 0;
      while (sent < paced.length) {
        const due = Math.min(paced.length, Math.floor(((Date.now() - start) / 1000) * pacedRate) + 1);
        if (due > sent) {
          const batch = paced.slice(sent, due);
          const now = Date.now();
          for (const message of batch) publishedAt.set(message.eventId, now);
          await producer.send(batch);
          sent = due;
        }
        await sleep(5);
      }
    })();
    pacing.catch(() => undefined); // awaited below; a failure meanwhile must not crash the run
    const pacedSamples = paced.length > 0 ? await waitForRows(scenario, service.child, EVENTS + paced.length, DRAIN_TIMEOUT_MS) : [];
    await pacing;
    const pac = paced.length > 0 ? window(pacedSamples, EVENTS + 1) : undefined;
    const peakRssMb = processPeakRssMb(service.child.pid!);

    const rows = await scenario.db
      .selectFrom('impact_deliveries')
      .select(['event_id', 'status', 'first_attempt_at', 'created_at'])
      .execute();
    const ranked = [...rows].sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    const steady = ranked.filter((row) => !publishedAt.has(row.event_id)).slice(Math.ceil(EVENTS / 10));
    const handling = steady.map((row) => row.created_at.getTime() - new Date(row.first_attempt_at).getTime());
    const endToEnd = rows.filter((row) => publishedAt.has(row.event_id)).map((row) => row.created_at.getTime() - publishedAt.get(row.event_id)!);

    const notes: string[] = [];
    const waits = await histogram(healthPort, 'impactin_rate_limit_wait_seconds');
    notes.push(`rate-limit waits: ${waits.count} requests, ${waits.sum.toFixed(2)} s in all`);
    const failed = rows.filter((row) => row.status !== 'delivered').length;
    const stats = sim.stats();
    const detail = sim.detail?.();
    if (detail) notes.push(`backlog: ${backlogDetail}; backlog and paced: ${detail}`);
    if (failed > 0) notes.push(`${failed} deliveries not delivered — see ${service.logFile}`);
    if (stats.duplicates > 0 || stats.accepted !== rows.length) notes.push(`simulator accepted ${stats.accepted} (duplicates ${stats.duplicates}) for ${rows.length} rows`);
    return {
      rate,
      handling: pcts(handling),
      endToEnd: pcts(endToEnd),
      pacedRate: pac ? pac.rows / pac.seconds : Number.NaN,
      cpuSaturated: sat.cpu,
      cpuPaced: pac?.cpu ?? Number.NaN,
      peakRssMb,
      selfCpu: sat.selfCpu,
      machineBusy: sat.machineBusy,
      notes,
    };
  } finally {
    await service?.stop();
    await producer.disconnect().catch(() => undefined);
    await sim.close();
    await dropScenario(scenario, [groupNames(scenario.env.TOPIC_PREFIX!).deliver[variant.platform]]);
  }
}

const only = flag('only', '').split(',').filter(Boolean);
const chosen = VARIANTS.filter((v) => only.length === 0 || only.some((o) => v.name.startsWith(o)));
const results: string[][] = [];
const notes: string[] = [];
for (const variant of chosen) {
  process.stderr.write(`${variant.name}: ${EVENTS} events + ${Math.floor(EVENTS * PACED)} paced…\n`);
  try {
    const f = await runVariant(variant);
    results.push([
      variant.name,
      Math.round(f.rate).toLocaleString('en-GB'),
      f.handling,
      Number.isNaN(f.pacedRate) ? '— (no paced batch)' : `${f.endToEnd} @ ${Math.round(f.pacedRate)}/s`,
      Math.round(f.cpuSaturated).toLocaleString('en-GB'),
      Number.isNaN(f.cpuPaced) ? '—' : Math.round(f.cpuPaced).toLocaleString('en-GB'),
      Math.round(f.selfCpu).toLocaleString('en-GB'),
      `${Math.round(f.machineBusy * 100)} %`,
      `${f.peakRssMb} MB`,
    ]);
    notes.push(`${variant.name}: ${variant.note}; ${f.notes.join('; ')}`);
  } catch (error) {
    results.push([variant.name, 'failed', '', '', '', '', '', '', '']);
    notes.push(`${variant.name}: ${(error as Error).message}`);
  }
}

process.stdout.write(
  `deliveries end to end per platform — node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ` +
    `${EVENTS} events backlog + ${Math.floor(EVENTS * PACED)} paced at half the measured rate, ${PARTITIONS} partitions, ${TENANTS.length} tenants × ${EMPLOYEES} employees (ordering keys), ` +
    `one service process (--role deliver:<platform>), simulators in the bench process on loopback, ${LATENCY_MS === 0 ? 'no added latency' : `${LATENCY_MS} ms added to every simulator answer`}.\n` +
    `Rate limiters set high enough not to be the bottleneck (waits below). Rates and saturated CPU exclude the first 10 % (warm-up).\n` +
    `handling = a delivery row's first attempt → row recorded; publish→row = the paced batch; machine busy = all cores, every process, while draining.\n\n`,
);
process.stdout.write(
  table(
    ['platform', 'deliveries/s', 'handling ms p50/95/99', 'publish→row ms p50/95/99 @ paced rate', 'service CPU µs/deliv', 'same, paced', 'sim+bench CPU µs/deliv', 'machine busy', 'service peak RSS'],
    results,
  ),
);
process.stdout.write(`\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
