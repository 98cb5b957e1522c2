/**
 * One run of the shared-rate-limit load: three service instances (separate processes, each with
 * the roles redactor, router, deliver:goodera and deliver:workday) drain a backlog to a Goodera
 * simulator enforcing 100 requests per window per API key and a Workday simulator enforcing its
 * configured limit per tenant, with bursts of new events, a 429 storm and (optionally) the
 * run's own Redis stopped for a while. Time is scaled: a window is 60 s / scale and the service's
 * limits are the simulators' × scale × `clientShare`. Both simulators are sampled every 100 ms;
 * the figures come from those samples. Used by test/integration/rate-limit-load.test.ts (short)
 * and bench/rate-limit-load.bench.ts (long).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureTopics } from '../../../src/kafka/kafkajs/admin.ts';
import { loadRegistryConfig } from '../../../src/config/config.ts';
import { allTopics, topicConfigs, topicNames } from '../../../src/kafka/topics.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createImpactPublisher, loadPublisherConfig, type NewImpactEvent } from '../../../src/publisher/publisher.ts';
import { sampleEvents } from '../../../src/publisher/sample-events.ts';
import { createConfluentRegistry } from '../../../src/schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../../../src/schemas/schema-sync.ts';
import type { SimStats } from '../../../src/simulators/common/sim-stats.ts';
import { startGooderaSimulator } from '../../../src/simulators/goodera/index.ts';
import { startWorkdaySimulator } from '../../../src/simulators/workday/index.ts';
import { createScenarioEnv } from './env.ts';
import { redisProcess } from './redis-process.ts';
import { spawnService, type ServiceProcess } from './service-process.ts';

export interface LoadOptions {
  readonly name: string;
  /** Windows are 60 s / scale long. */
  readonly scale: number;
  readonly gooderaLimitPerWindow: number;
  readonly workdayLimitPerWindow: number;
  /** The service is configured for this share of each limit (jitter between taking a token and arriving needs headroom). */
  readonly clientShare: number;
  /** Events published before the instances start (and per burst after). */
  readonly backlog: number;
  /** Times (`atMs`) count from the first request admitted on each platform. */
  readonly bursts: readonly { readonly atMs: number; readonly events: number }[];
  /** Every request to either simulator answered 429 + Retry-After for a while (at least until both were refused once). */
  readonly storm: { readonly atMs: number; readonly durationMs: number; readonly retryAfterSeconds: number };
  /** The run's own Redis stopped (SIGKILL) for a while and started again, empty. */
  readonly redisOutage?: { readonly atMs: number; readonly durationMs: number };
  readonly deadlineMs: number;
  readonly log?: (line: string) => void;
}

export interface Sample {
  /** ms since the first instance was spawned. */
  readonly at: number;
  /** Requests the simulator let through its limiter / refused with 429, cumulative. */
  readonly admitted: number;
  readonly refused: number;
}

export interface PlatformRun {
  readonly platform: 'goodera' | 'workday';
  /** Admitted requests per ms the simulator allows, and the service is configured for. */
  readonly limitPerMs: number;
  readonly clientPerMs: number;
  readonly samples: readonly Sample[];
  readonly expectedRecords: number;
  readonly records: number;
  readonly duplicates: number;
}

export interface LoadRun {
  readonly options: LoadOptions;
  readonly goodera: PlatformRun;
  readonly workday: PlatformRun;
  /** [from, to) in ms of the storm and of the Redis outage (to = when the fault was lifted). */
  readonly stormWindow: readonly [number, number];
  readonly outageWindow?: readonly [number, number];
}

const TENANT = 'acme';
const API_KEY = 'key-acme-load-0123456789';
const WD = { tenant: 'acme_prod', clientId: 'impact-in', clientSecret: 'wd-secret-load-0123', refreshToken: 'wd-refresh-load-0123' };

/** Admitted and refused requests of a simulator, cumulative; Workday's token route is not limited. */
function counts(stats: SimStats): { admitted: number; refused: number } {
  let admitted = 0;
  let refused = 0;
  for (const [route, outcomes] of Object.entries(stats.requests)) {
    if (route === 'token') continue;
    for (const [outcome, n] of Object.entries(outcomes)) {
      if (outcome === '429') refused += n;
      else if (/^[2-5]\d\d$/.test(outcome) && outcome !== '401') admitted += n;
    }
  }
  return { admitted, refused };
}

export async function runRateLimitLoad(options: LoadOptions): Promise<LoadRun> {
  const log = options.log ?? (() => undefined);
  const windowMs = 60_000 / options.scale;
  const goodera = await startGooderaSimulator({ apiKeys: { [API_KEY]: TENANT }, rateLimitPerMinute: options.gooderaLimitPerWindow, rateLimitWindowMs: windowMs });
  const workday = await startWorkdaySimulator({
    tenants: { [WD.tenant]: { clientId: WD.clientId, clientSecret: WD.clientSecret, refreshToken: WD.refreshToken } },
    rateLimitPerMinute: options.workdayLimitPerWindow,
    rateLimitWindowMs: windowMs,
  });
  const clientGoodera = Math.floor(options.gooderaLimitPerWindow * options.scale * options.clientShare);
  const clientWorkday = Math.floor(options.workdayLimitPerWindow * options.scale * options.clientShare);
  const redis = await redisProcess();
  await redis.start();
  const scenario = await createScenarioEnv(options.name, {
    GOODERA_BASE_URL: goodera.url,
    WORKDAY_BASE_URL: workday.url,
    REDIS_URL: redis.url,
    TOPIC_PARTITIONS: '6',
    GOODERA_BATCH_SIZE: '1',
    GOODERA_RATE_LIMIT_PER_MINUTE: String(clientGoodera),
    WORKDAY_RATE_LIMIT_PER_MINUTE: String(clientWorkday),
    WORKDAY_RATE_LIMIT_BURST: '1',
  });
  const services: ServiceProcess[] = [];
  let sampler: NodeJS.Timeout | undefined;
  const publisher = await createImpactPublisher(loadPublisherConfig(scenario.env), createLogger('warn'));
  try {
    await scenario.tenants.upsertTenant(TENANT, TENANT);
    await scenario.tenants.upsertPlatform(TENANT, 'goodera', { apiKey: API_KEY, organizationId: 'org-acme' });
    await scenario.tenants.upsertPlatform(TENANT, 'workday', WD);
    const topics = topicNames(scenario.env.TOPIC_PREFIX!);
    await ensureTopics(scenario.kafka, allTopics(topics), { partitions: 6, replicationFactor: 1, configs: topicConfigs(topics) });
    await pushSchemas(createConfluentRegistry(loadRegistryConfig(scenario.env)), { topics });

    let seed = 31;
    const published: NewImpactEvent[] = [];
    const publish = async (count: number) => {
      const events = sampleEvents(count, { tenants: [TENANT], seed: seed++, now: new Date() });
      await publisher.publishImpactEvents(events);
      published.push(...events);
    };
    await publish(options.backlog);
    // Sampled from the first spawn: the first instance up delivers while the others still start.
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const samples = { goodera: [] as Sample[], workday: [] as Sample[] };
    const sample = () => {
      const at = now();
      samples.goodera.push({ at, ...counts(goodera.stats()) });
      samples.workday.push({ at, ...counts(workday.stats()) });
    };
    sample();
    sampler = setInterval(sample, 100);
    for (let i = 0; i < 3; i++) services.push(spawnService(`${options.name}-${i + 1}`, scenario.env, 'redactor,router,deliver:goodera,deliver:workday'));
    await Promise.all(services.map((service) => service.started));
    log(`3 instances up after ${Math.round(now())} ms; goodera ${options.gooderaLimitPerWindow}/${windowMs} ms (client ${clientGoodera}/min), workday ${options.workdayLimitPerWindow}/${windowMs} ms (client ${clientWorkday}/min)`);

    const expected = () => ({
      goodera: published.length,
      workday: published.filter((event) => event.kind === 'volunteer_activity' || event.kind === 'program_enrolment').length,
    });
    let stormWindow: [number, number] = [Number.NaN, Number.NaN];
    /** Refusals each simulator had answered when the storm began. */
    let refusedBefore = { goodera: 0, workday: 0 };
    let outageWindow: [number, number] | undefined;
    const schedule: { at: number; ready?: () => boolean; run: () => Promise<void> }[] = [
      ...options.bursts.map((burst) => ({ at: burst.atMs, run: () => publish(burst.events) })),
      {
        at: options.storm.atMs,
        run: async () => {
          sample();
          refusedBefore = { goodera: samples.goodera.at(-1)!.refused, workday: samples.workday.at(-1)!.refused };
          const fault = { route: '*', kind: 'status', status: 429, retryAfterSeconds: options.storm.retryAfterSeconds };
          goodera.injectFault(fault);
          workday.injectFault(fault);
          stormWindow[0] = now();
          log(`storm: every request answered 429 (Retry-After ${options.storm.retryAfterSeconds}) for ${options.storm.durationMs} ms`);
        },
      },
      {
        at: options.storm.atMs + options.storm.durationMs,
        // The storm lasts until each platform's traffic has met it, or that platform has nothing
        // left to send (a rebalance can pause one platform's deliveries for a moment).
        ready: () =>
          (counts(goodera.stats()).refused > refusedBefore.goodera || goodera.stats().distinctKeys >= expected().goodera) &&
          (counts(workday.stats()).refused > refusedBefore.workday || workday.stats().distinctKeys >= expected().workday),
        run: async () => {
          goodera.clearFaults();
          workday.clearFaults();
          stormWindow = [stormWindow[0], now()];
          sample();
        },
      },
      ...(options.redisOutage
        ? [
            {
              at: options.redisOutage.atMs,
              run: async () => {
                sample();
                await redis.stop();
                outageWindow = [now(), Number.NaN];
                log(`redis stopped for ${options.redisOutage!.durationMs} ms`);
              },
            },
            {
              at: options.redisOutage.atMs + options.redisOutage.durationMs,
              run: async () => {
                await redis.start();
                outageWindow = [outageWindow![0], now()];
                sample();
              },
            },
          ]
        : []),
    ].sort((a, b) => a.at - b.at);

    const deadline = options.deadlineMs;
    // The schedule counts from the first requests both simulators admitted, not from the instances being
    // up: how long consumer groups take to settle on a busy machine must not move the storm
    // before the traffic.
    let trafficAt: number | undefined;
    for (;;) {
      if (trafficAt === undefined && samples.goodera.at(-1)!.admitted > 0 && samples.workday.at(-1)!.admitted > 0) trafficAt = now();
      while (trafficAt !== undefined && schedule.length > 0 && schedule[0]!.at <= now() - trafficAt && (schedule[0]!.ready?.() ?? true)) {
        await schedule.shift()!.run();
      }
      const done = schedule.length === 0 && goodera.stats().distinctKeys >= expected().goodera && workday.stats().distinctKeys >= expected().workday;
      if (done) break;
      for (const service of services) {
        if (service.child.exitCode !== null || service.child.signalCode !== null) throw new Error(`an instance exited; see ${service.logFile}`);
      }
      if (now() > deadline) {
        throw new Error(`not delivered within ${deadline} ms: goodera ${goodera.stats().distinctKeys}/${expected().goodera}, workday ${workday.stats().distinctKeys}/${expected().workday}`);
      }
      await sleep(100);
    }
    // Anything still in flight (a re-send of a record already there) shows as a duplicate.
    await sleep(500);
    sample();
    const run = (platform: 'goodera' | 'workday', stats: SimStats, limitPerWindow: number, clientPerMinute: number): PlatformRun => ({
      platform,
      limitPerMs: limitPerWindow / windowMs,
      clientPerMs: clientPerMinute / 60_000,
      samples: samples[platform],
      expectedRecords: expected()[platform],
      records: stats.distinctKeys,
      duplicates: stats.duplicates,
    });
    return {
      options,
      goodera: run('goodera', goodera.stats(), options.gooderaLimitPerWindow, clientGoodera),
      workday: run('workday', workday.stats(), options.workdayLimitPerWindow, clientWorkday),
      stormWindow,
      ...(outageWindow ? { outageWindow } : {}),
    };
  } finally {
    clearInterval(sampler);
    await Promise.all(services.map((service) => service.stop()));
    await publisher.close().catch(() => undefined);
    await goodera.close();
    await workday.close();
    await redis.stop();
    await scenario.cleanup();
  }
}

/** Cumulative counts at `at` (the last sample at or before it). */
function at(samples: readonly Sample[], time: number): Sample {
  let last = samples[0]!;
  for (const s of samples) {
    if (s.at > time) break;
    last = s;
  }
  return last;
}

export interface Figures {
  /** Requests refused for the limit per 10,000 sent, outside the storm (and outside the outage). */
  readonly refusedPer10kOutside: number;
  readonly sentOutside: number;
  readonly refusedOutside: number;
  /** Admitted rate in the two windows before the storm, as a share of the limit (NaN when that phase is under half a window). */
  readonly achievedShare: number;
  /** From the storm's end until the admitted rate over a tenth of a window is back at 95 % of the configured rate; NaN if never. */
  readonly recoveryMs: number;
  /** Redis down: sent (admitted + refused) as a share of the limit, and refusals per 10,000 sent. */
  readonly outage?: { readonly sentShare: number; readonly peakSentShare: number; readonly admittedShare: number; readonly refusedPer10k: number };
}

export function figuresOf(run: LoadRun, platform: PlatformRun): Figures {
  const samples = platform.samples;
  const excluded: (readonly [number, number])[] = [run.stormWindow, ...(run.outageWindow ? [run.outageWindow] : [])];
  let sentOutside = 0;
  let refusedOutside = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    // An interval touching the storm or the outage (to its lift, inclusive) is not "outside".
    if (excluded.some(([from, to]) => b.at >= from && a.at <= to)) continue;
    sentOutside += b.admitted - a.admitted + (b.refused - a.refused);
    refusedOutside += b.refused - a.refused;
  }
  const windowMs = 60_000 / run.options.scale;
  // Steady: the two windows before the storm (ramp-up — consumer groups joining, the backlog
  // reaching the deliver topics — is not the limiter's doing), or from the first admitted request.
  const first = samples.find((s) => s.admitted > 0)?.at ?? 0;
  const steadyFrom = Math.max(first, run.stormWindow[0] - 2 * windowMs);
  const steady = at(samples, run.stormWindow[0]).admitted - at(samples, steadyFrom).admitted;
  // Too short a steady phase (the storm came early, as in the short test) measures nothing.
  const achievedShare = run.stormWindow[0] - steadyFrom < windowMs / 2 ? Number.NaN : steady / (run.stormWindow[0] - steadyFrom) / platform.limitPerMs;
  const span = windowMs / 10;
  let recoveryMs = Number.NaN;
  for (const s of samples) {
    if (s.at < run.stormWindow[1] + span) continue;
    const rate = (s.admitted - at(samples, s.at - span).admitted) / span;
    if (rate >= 0.95 * platform.clientPerMs) {
      recoveryMs = s.at - run.stormWindow[1];
      break;
    }
  }
  let outage: Figures['outage'];
  if (run.outageWindow) {
    const [from, to] = run.outageWindow;
    const a = at(samples, from);
    const b = at(samples, to);
    const sent = b.admitted - a.admitted + (b.refused - a.refused);
    const ms = Math.max(1, to - from);
    // The worst half window while Redis was down: sent as a share of the limit.
    const half = windowMs / 2;
    let peak = 0;
    for (const s of samples) {
      if (s.at < from + half || s.at > to) continue;
      const p = at(samples, s.at - half);
      peak = Math.max(peak, (s.admitted - p.admitted + (s.refused - p.refused)) / half / platform.limitPerMs);
    }
    outage = {
      sentShare: sent / ms / platform.limitPerMs,
      peakSentShare: peak,
      admittedShare: (b.admitted - a.admitted) / ms / platform.limitPerMs,
      refusedPer10k: sent === 0 ? 0 : (10_000 * (b.refused - a.refused)) / sent,
    };
  }
  return {
    refusedPer10kOutside: sentOutside === 0 ? 0 : (10_000 * refusedOutside) / sentOutside,
    sentOutside,
    refusedOutside,
    achievedShare,
    recoveryMs,
    ...(outage ? { outage } : {}),
  };
}
