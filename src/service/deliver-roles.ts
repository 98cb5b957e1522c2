/**
 * The deliver:<platform> roles: one consumer group per platform, its connector behind a breaker,
 * Redis leases, the parking lot and its drainer; deliver:benevity also serves the import
 * callback endpoint and reconciles overdue imports. What the platforms of one process share —
 * Redis, the outbound dispatcher, the repositories, the pre-send gate, tokens and rate limits —
 * is opened once (openDeliveryShared) and each platform is wired on it (wirePlatform).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { withBreaker } from '../breaker/breaker-connector.ts';
import { createPlatformBreaker } from '../breaker/platform-breaker.ts';
import { benevityCallbacks } from '../connectors/benevity/benevity.callback.ts';
import { startBenevityEndpoint, type BenevityEndpoint } from '../jobs/benevity-endpoint.ts';
import { batching } from '../connectors/batching-connector.ts';
import { isBatchConnector } from '../connectors/connector.ts';
import { CONNECTORS } from '../connectors/registry.ts';
import { createDelivererHandler } from '../consumers/deliverer.consumer.ts';
import { startParkingDrainer } from '../consumers/parking-drainer.ts';
import type { AsyncJobReader } from '../connectors/connector.ts';
import { DeliveryRepository } from '../deliveries/delivery-repository.ts';
import { ParkingLot } from '../deliveries/parking-lot.ts';
import { errorReason, isImpactError } from '../domain/errors.ts';
import { payloadFieldKeys } from '../domain/event.ts';
import type { Platform } from '../domain/platform.ts';
import { createDispatcher } from '../http/dispatcher.ts';
import { createDegradableIdempotencyStore } from '../idempotency/degradable-store.ts';
import type { IdempotencyStore } from '../idempotency/idempotency-store.ts';
import { createRedisIdempotencyStore } from '../idempotency/redis/redis-idempotency-store.ts';
import type { PauseOptions } from '../kafka/kafkajs/group-member.ts';
import { createKafkaKeyOrderedConsumer } from '../kafka/kafkajs/key-ordered-consumer.ts';
import type { MessageHandler } from '../kafka/ports.ts';
import { watchTokenExpiry } from '../observability/collectors/token-expiry.ts';
import { traceHandler, withTracing } from '../observability/tracing/index.ts';
import { instrumentRateLimiter, type RateLimiter } from '../ratelimit/rate-limiter.ts';
import { createRedisRateLimiter } from '../ratelimit/redis-rate-limiter.ts';
import { createPlatformView } from '../redaction/platform-view.ts';
import { createPreSendGate } from '../redaction/pre-send-gate.ts';
import { createPostgresTokenStore } from '../tokens/postgres/postgres-token-store.ts';
import type { Core } from './core.ts';

/** What the deliver roles of one process share. */
interface DeliveryShared {
  readonly dispatcher: ReturnType<typeof createDispatcher>;
  readonly idempotency: IdempotencyStore;
  readonly deliveries: DeliveryRepository;
  readonly parkingLot: ParkingLot;
  readonly gate: ReturnType<typeof createPreSendGate>;
  readonly platformView: ReturnType<typeof createPlatformView>;
  readonly tokens: ReturnType<typeof createPostgresTokenStore>;
  readonly onToken: ReturnType<typeof watchTokenExpiry>;
  readonly rateLimiter: RateLimiter;
  /** Lease owners of this process start with it; each unit of work adds its own suffix. */
  readonly owner: string;
  readonly benevity: BenevityEndpoint | undefined;
}

export async function wireDeliverers(core: Core, platforms: readonly Platform[]): Promise<void> {
  if (platforms.length === 0) return;
  const shared = await openDeliveryShared(core, platforms);
  for (const platform of platforms) wirePlatform(core, shared, platform);
}

async function openDeliveryShared(core: Core, platforms: readonly Platform[]): Promise<DeliveryShared> {
  const { config, logger, metrics, db, secretBox } = core;
  const redis = new Redis(config.redis.url, {
    // rediss://: TLS with the configured CA (and client certificate); the ACL user when not in the URL.
    ...(config.redis.connection.tls ? { tls: { ...config.redis.connection.tls } } : {}),
    ...(config.redis.connection.password === undefined ? {} : { username: config.redis.connection.username, password: config.redis.connection.password }),
    // Reconnect to a lost Redis for ever, but never queue commands while it is away: they fail
    // at once and the degradable idempotency store and the rate limiter go on without it
    // (below) — a queued command would hold a delivery for seconds per call.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    lazyConnect: false,
    // The claims, completions and limiter calls of the deliveries in flight at once go out in
    // one write per turn of the event loop (ioredis auto-pipelining) instead of one each.
    enableAutoPipelining: true,
  });
  redis.on('error', (error) => logger.warn({ err: errorReason(error) }, 'redis error'));
  core.closers.unshift(() => redis.quit().catch(() => redis.disconnect()));
  // A platform sees at most the in-flight bound of its deliverer plus the parking drainer's units.
  const dispatcher = createDispatcher({
    ...config.http,
    connectionsPerOrigin: config.delivery.inFlight.perProcess + config.delivery.parkingDrainConcurrency,
  });
  core.closers.unshift(() => dispatcher.close());
  // Both start healthy (a series from the start, for dashboards and alerts) until told otherwise.
  metrics.degraded.set({ component: 'idempotency' }, 0);
  metrics.degraded.set({ component: 'rate_limiter' }, 0);
  // Redis down: every send is preceded by a platform lookup; PostgreSQL's row stays the truth.
  const idempotency = createDegradableIdempotencyStore(
    createRedisIdempotencyStore(redis, { keyPrefix: config.redis.keyPrefix, ttlSeconds: config.redis.idempotencyTtlSeconds }),
    {
      logger: logger.child({ stage: 'idempotency' }),
      onDegraded: (degraded) => metrics.degraded.set({ component: 'idempotency' }, degraded ? 1 : 0),
    },
  );
  // Per-platform request budgets (Goodera: per API key), shared by every instance through Redis.
  const rateLimiter = instrumentRateLimiter(
    createRedisRateLimiter(redis, {
      keyPrefix: config.redis.keyPrefix,
      logger: logger.child({ stage: 'ratelimit' }),
      onDegraded: (degraded) => metrics.degraded.set({ component: 'rate_limiter' }, degraded ? 1 : 0),
    }),
    (bucket, waitMs) => metrics.rateLimitWaitSeconds.observe({ platform: bucket.split(':')[0] ?? 'unknown' }, waitMs / 1000),
  );
  // deliver:benevity also serves the import-completion callback endpoint and polls overdue imports.
  let benevity: BenevityEndpoint | undefined;
  if (platforms.includes('benevity')) {
    const endpoint = await startBenevityEndpoint({
      callbacks: benevityCallbacks,
      config,
      db,
      topics: core.topics,
      deadLetters: core.deadLetters,
      resultCodec: core.resultCodec,
      tenants: core.tenants,
      metrics,
      logger: logger.child({ stage: 'callbacks.benevity' }),
    });
    benevity = endpoint;
    core.closers.unshift(() => endpoint.close());
  }
  // Both feed the token expiry gauges: those stored in PostgreSQL and those Benevity's connector holds in memory.
  const onToken = watchTokenExpiry(metrics);
  return {
    dispatcher,
    idempotency,
    deliveries: new DeliveryRepository(db),
    parkingLot: new ParkingLot(db),
    gate: createPreSendGate((platform, detectors) => {
      for (const detector of detectors) metrics.piiBlocked.inc({ platform, detector });
    }),
    platformView: createPlatformView(core.policy, payloadFieldKeys),
    // OAuth tokens (Workday) encrypted in PostgreSQL, shared by every instance.
    tokens: createPostgresTokenStore(db, secretBox, { refreshMarginMs: config.providerTokens.refreshMarginMs, onToken }),
    onToken,
    rateLimiter,
    owner: `${process.pid}.${randomUUID()}`,
    benevity,
  };
}

function wirePlatform(core: Core, shared: DeliveryShared, platform: Platform): void {
  const { config, logger, metrics, topics, groups } = core;
  const stage = `deliver.${platform}`;
  // One breaker per platform: while it is open the platform's partitions pause (lag grows,
  // nothing is dropped or dead-lettered) until a half-open probe succeeds.
  const breaker = createPlatformBreaker(platform, config.delivery.breaker);
  core.closers.push(async () => breaker.shutdown());
  breaker.onStateChange((state) => metrics.breakerState.set({ platform }, { closed: 0, half_open: 1, open: 2 }[state]));
  metrics.breakerState.set({ platform }, 0);
  const pause: PauseOptions = {
    pauseOn: (error, signal) => (isImpactError(error) && error.code === 'CIRCUIT_OPEN' ? breaker.ready(signal) : undefined),
    onPause: (_topic, _partition, paused) => metrics.pausedPartitions.inc({ stage }, paused ? 1 : -1),
  };
  const { benevity } = shared;
  const connector = withTracing(
    withBreaker(
      CONNECTORS[platform]!.create(config, {
        dispatcher: shared.dispatcher,
        gate: shared.gate,
        rateLimiter: shared.rateLimiter,
        contactBox: core.secretBox,
        tokens: shared.tokens,
        onToken: shared.onToken,
        ...(benevity === undefined ? {} : { callbackUrl: benevity.callbackUrl }),
      }),
      breaker,
    ),
  );
  const common = {
    platform,
    topics,
    sink: core.sink,
    codec: core.redactedCodec,
    resultCodec: core.resultCodec,
    deliveries: shared.deliveries,
    idempotency: shared.idempotency,
    tenants: core.tenants,
    platformView: shared.platformView,
    metrics,
    deadLetters: core.deadLetters,
    logger: logger.child({ stage }),
    maxAttempts: config.delivery.maxAttempts,
    backoff: { baseMs: config.delivery.backoffBaseMs, maxMs: config.delivery.backoffMaxMs },
    leaseMs: config.redis.leaseMs,
    owner: shared.owner,
    unknownSettleMs: config.delivery.unknownSettleMs,
    // A write's answer (the request timeout) and its settle time fit in what is left of the lease.
    sendWindowMs: config.redis.leaseMs - config.http.requestTimeoutMs - config.delivery.unknownSettleMs,
  };
  const parking = { lot: shared.parkingLot, afterMs: config.delivery.parkAfterMs };
  // The drainer's deliverer is the same stage without parking: a parked delivery retries in
  // place, off its partition, until it is final.
  const drainer = (deliver: MessageHandler) =>
    startParkingDrainer({
      platform,
      lot: shared.parkingLot,
      deliver,
      logger: logger.child({ stage: `${stage}.parked` }),
      metrics,
      pollMs: 1_000,
      concurrency: config.delivery.parkingDrainConcurrency,
      leaseMs: 60_000,
      postponeMs: config.delivery.breaker.resetMs,
    });
  const consumerOptions = {
    ...pause,
    groupId: groups.deliver[platform],
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    topics: [topics.deliver[platform]],
    partitionsConsumedConcurrently: config.kafka.partitions,
    logger: logger.child({ stage }),
    retry: { baseMs: config.delivery.backoffBaseMs, maxMs: config.delivery.backoffMaxMs },
    onHandlerError: (_topic: string, error: unknown) =>
      metrics.handlerErrors.inc({ stage, code: (error as { code?: string }).code ?? 'unclassified' }),
  };
  core.watched.push({ group: groups.deliver[platform], topic: topics.deliver[platform] });
  // Key-ordered concurrency inside each partition: records of different (tenant, subject) keys
  // at once, each key in offset order; the committed offset is the highest one below which
  // everything is final. A batching platform (Goodera) runs on the same engine: the records of a
  // tenant in flight at once share its requests (src/connectors/batching-connector.ts), and its
  // in-flight bound is set so that, with a backlog, several full requests per tenant wait.
  const batched = isBatchConnector(connector);
  const inFlight = batched
    ? { perPartition: config.platforms.goodera.inFlightRecords, perProcess: config.platforms.goodera.inFlightRecords }
    : config.delivery.inFlight;
  const consumer = createKafkaKeyOrderedConsumer(core.kafka, {
    ...consumerOptions,
    maxInFlightPerPartition: inFlight.perPartition,
    maxInFlight: inFlight.perProcess,
    onInFlight: (count) => metrics.deliveriesInFlight.set({ platform }, count),
    onHandled: (_topic, seconds) => metrics.handleSeconds.observe({ stage }, seconds),
  });
  core.consumers.push({ stage, consumer });
  const options = {
    ...common,
    connector: batched ? batching(connector, { onBatch: (records) => metrics.batchRecords.observe({ platform }, records) }) : connector,
    jobPollDelayMs: config.platforms.benevity.callback.waitMs,
  };
  core.starts.push(consumer.start(traceHandler(stage, platform, createDelivererHandler({ ...options, parking }), core.describeRedacted)));
  core.drainers.push(drainer(traceHandler(`${stage}.parked`, platform, createDelivererHandler(options), core.describeRedacted)));
  if (platform === 'benevity' && benevity && 'readJob' in connector) {
    benevity.startReconciler(connector as typeof connector & AsyncJobReader);
  }
}
