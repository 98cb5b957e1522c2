/**
 * Wires the stages for the roles this process runs. Each dependency is created once here and
 * handed to the parts that need it; nothing is global. Stop order matters: consumers first (they
 * finish in-flight work and commit), then a last outbox drain, then the clients they used.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Config } from '../config/config.ts';
import { deliveryResultCodec, impactEventCodec, redactedEventCodec } from '../codec/avro/contract-codecs.ts';
import { createConfluentRegistry } from '../schemas/confluent/confluent-registry.ts';
import { CONNECTORS } from '../connectors/registry.ts';
import { startBenevityEndpoint, type BenevityEndpoint } from '../callbacks/benevity-endpoint.ts';
import { isBatchConnector } from '../connectors/connector.ts';
import { createBatchDelivererHandler } from '../consumers/batch-deliverer.consumer.ts';
import { createDelivererHandler } from '../consumers/deliverer.consumer.ts';
import { createRedactorTransform, REDACTOR_STAGE } from '../consumers/redactor.consumer.ts';
import { createRouterTransform, ROUTER_STAGE } from '../consumers/router.consumer.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { createDb } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import type { AsyncJobReader } from '../deliveries/delivery-jobs.ts';
import { DeliveryRepository } from '../deliveries/delivery-repository.ts';
import { ParkingLot } from '../deliveries/parking-lot.ts';
import { startParkingDrainer, type ParkingDrainer } from '../consumers/parking-drainer.ts';
import { PAYLOAD_SCHEMAS, payloadFieldKeys } from '../domain/event.ts';
import { errorReason, isImpactError } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import { createDispatcher } from '../http/dispatcher.ts';
import { createRedisIdempotencyStore } from '../idempotency/redis/redis-idempotency-store.ts';
import { createDeadLetters } from '../kafka/dead-letter.ts';
import { ensureTopics } from '../kafka/kafkajs/admin.ts';
import { createKafka } from '../kafka/kafkajs/client.ts';
import { createKafkaBatchConsumer } from '../kafka/kafkajs/batch-consumer.ts';
import { createKafkaKeyOrderedConsumer } from '../kafka/kafkajs/key-ordered-consumer.ts';
import type { PauseOptions } from '../kafka/kafkajs/group-member.ts';
import { withBreaker } from '../breaker/breaker-connector.ts';
import { createPlatformBreaker } from '../breaker/platform-breaker.ts';
import { createDegradableIdempotencyStore } from '../idempotency/degradable-store.ts';
import { instrumentRateLimiter } from '../ratelimit/rate-limiter.ts';
import { createKafkaSink } from '../kafka/kafkajs/producer.ts';
import { createTransactionalConsumer } from '../kafka/kafkajs/transactional-consumer.ts';
import type { BatchStageConsumer, BatchTransform, MessageHandler, StageConsumer, TransformConsumer } from '../kafka/ports.ts';
import { allTopics, groupNames, topicConfigs, topicNames } from '../kafka/topics.ts';
import { startHealthServer } from '../observability/health-server.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { watchConsumerLag, type WatchedGroup } from '../observability/collectors/consumer-lag.ts';
import { watchOutbox } from '../observability/collectors/outbox-backlog.ts';
import { watchTokenExpiry } from '../observability/collectors/token-expiry.ts';
import { stampPublishedAt } from '../observability/latency/published-at.ts';
import { meterResults } from '../observability/latency/results-meter.ts';
import { createLagReader } from '../kafka/kafkajs/group-lag.ts';
import { describeWith, traceBatchHandler, traceHandler, traceSink, traceTransform, withTracing } from '../observability/tracing/index.ts';
import { createOutboxRelay, type OutboxRelay } from '../outbox/outbox-relay.ts';
import { createAuditRepository } from '../redaction/audit-repository.ts';
import { createPlatformView } from '../redaction/platform-view.ts';
import { POLICY } from '../redaction/policy/policy.ts';
import { validatePolicy } from '../redaction/policy/validate-policy.ts';
import { createPreSendGate } from '../redaction/pre-send-gate.ts';
import { createPseudonymizer } from '../redaction/pseudonym.ts';
import { createRedisRateLimiter } from '../ratelimit/redis-rate-limiter.ts';
import { createPostgresTokenStore } from '../tokens/postgres/postgres-token-store.ts';
import { createRedactor } from '../redaction/redact.ts';
import { createCachedTenantDirectory } from '../tenants/tenant-directory.ts';
import { createCachedDenyLists } from '../tenants/tenant-policies.ts';
import { TenantRepository } from '../tenants/tenant-repository.ts';
import { preflight } from './preflight.ts';
import type { Role } from './roles.ts';

export interface RunningService {
  readonly healthPort: number;
  stop(): Promise<void>;
}

/** What start-up has opened so far: a failure part-way closes exactly these. */
interface Opened {
  readonly closers: (() => Promise<unknown>)[];
  readonly consumers: { stage: string; consumer: StageConsumer | TransformConsumer | BatchStageConsumer }[];
  readonly drainers: ParkingDrainer[];
}

export async function startService(config: Config, roles: readonly Role[], logger: Logger): Promise<RunningService> {
  // The policy and the platform URLs are checked before anything connects: a bad one fails fast.
  const policy = validatePolicy(POLICY, PAYLOAD_SCHEMAS);
  preflight(config, roles);
  const opened: Opened = { closers: [], consumers: [], drainers: [] };
  try {
    return await wireService(config, roles, logger, policy, opened);
  } catch (error) {
    // A failure at any point of start-up (a broker, database or port that is not there) closes
    // what was opened, so the caller can exit instead of hanging on open handles.
    logger.debug('start-up failed: closing what was opened');
    await Promise.allSettled([...opened.consumers.map(({ consumer }) => consumer.stop()), ...opened.drainers.map((d) => d.stop())]);
    for (const close of opened.closers) await close().catch(() => undefined);
    throw error;
  }
}

async function wireService(
  config: Config,
  roles: readonly Role[],
  logger: Logger,
  policy: ReturnType<typeof validatePolicy>,
  opened: Opened,
): Promise<RunningService> {
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const topics = topicNames(config.kafka.topicPrefix);
  const groups = groupNames(config.kafka.topicPrefix);
  const kafka = createKafka(config.kafka, roles.length > 1 ? 'all' : roles[0]!, logger);
  const db = createDb(config.database, config.database.poolSize);
  const closers = opened.closers;
  closers.push(() => db.destroy());

  const applied = await migrateToLatest(db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  const created = await ensureTopics(kafka, allTopics(topics), {
    partitions: config.kafka.partitions,
    replicationFactor: config.kafka.replicationFactor,
    configs: topicConfigs(topics),
  });
  if (created.length > 0) logger.info({ topics: created }, 'topics created');

  const sink = createKafkaSink(kafka);
  await sink.connect();
  closers.unshift(() => sink.disconnect());

  const secretBox = createSecretBox(config.secrets.keys, config.secrets.keyId);
  const tenants = createCachedTenantDirectory(new TenantRepository(db, secretBox), 10_000);
  // The schema registry holds every topic's contract; each stage encodes and decodes with it.
  const schemaRegistry = createConfluentRegistry(config.schemaRegistry);
  const redactedCodec = redactedEventCodec(schemaRegistry, topics.redacted);
  const resultCodec = deliveryResultCodec(schemaRegistry, topics.results);
  const deadLetters = createDeadLetters(secretBox);
  // Span attributes (event id, tenant, kind) read with the stage's own codec.
  const describeRedacted = describeWith(redactedCodec);
  // Lag of every group this process runs, read from outside the group at each scrape.
  const watched: WatchedGroup[] = [];
  const lagReader = createLagReader(kafka);
  closers.unshift(() => lagReader.close());
  watchConsumerLag(metrics, lagReader, watched);

  const consumers = opened.consumers;
  // Parking drainers: stopped with the consumers, before the relay publishes what they recorded.
  const drainers = opened.drainers;
  // Key-ordered concurrency inside each partition: records of different (tenant, subject) keys at once,
  // each key in offset order; the committed offset is the highest one below which everything is final.
  const deliverConsumer = (stage: string, groupId: string, topic: string, pause: PauseOptions = {}) => {
    const consumer = createKafkaKeyOrderedConsumer(kafka, {
      ...pause,
      groupId,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      topics: [topic],
      partitionsConsumedConcurrently: config.kafka.partitions,
      maxInFlightPerPartition: config.delivery.inFlight.perPartition,
      maxInFlight: config.delivery.inFlight.perProcess,
      logger: logger.child({ stage }),
      retry: { baseMs: config.delivery.backoffBaseMs, maxMs: config.delivery.backoffMaxMs },
      onHandled: (_topic, seconds) => metrics.handleSeconds.observe({ stage }, seconds),
      onHandlerError: (_topic, error) =>
        metrics.handlerErrors.inc({ stage, code: (error as { code?: string }).code ?? 'unclassified' }),
    });
    consumers.push({ stage, consumer });
    return consumer;
  };
  const starts: Promise<void>[] = [];
  const run = (consumer: StageConsumer, handler: MessageHandler) => starts.push(consumer.start(handler));
  const transform = (stage: string, groupId: string, topic: string, fn: BatchTransform) => {
    const consumer = createTransactionalConsumer(kafka, {
      groupId,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      topic,
      partitionsConsumedConcurrently: 2,
      logger: logger.child({ stage }),
      retry: { baseMs: config.delivery.backoffBaseMs, maxMs: config.delivery.backoffMaxMs },
      onCommitted: (count, seconds) => {
        metrics.transactions.inc({ stage, result: 'committed' });
        metrics.handleSeconds.observe({ stage }, seconds / Math.max(1, count));
      },
      onError: (error) => {
        metrics.transactions.inc({ stage, result: 'aborted' });
        metrics.handlerErrors.inc({ stage, code: (error as { code?: string }).code ?? 'unclassified' });
      },
    });
    consumers.push({ stage, consumer });
    watched.push({ group: groupId, topic });
    const describe = stage === REDACTOR_STAGE ? describeWith(impactEventCodec(schemaRegistry, topics.events)) : describeRedacted;
    starts.push(consumer.start(traceTransform(stage, fn, describe)));
  };

  if (roles.includes('redactor')) {
    const redactor = createRedactor(
      policy,
      createPseudonymizer(config.pseudonyms.keys, config.pseudonyms.keyId),
      secretBox,
    );
    const audit = createAuditRepository(db);
    transform(
      REDACTOR_STAGE,
      groups.redactor,
      topics.events,
      stampPublishedAt(createRedactorTransform({
        topics,
        metrics,
        deadLetters,
        inputCodec: impactEventCodec(schemaRegistry, topics.events),
        futureSkewMs: config.ingest.futureSkewMs,
        outputCodec: redactedCodec,
        denyListOf: createCachedDenyLists(new TenantRepository(db, secretBox), 10_000),
        redactor: {
          redact(event, now, options) {
            const result = redactor.redact(event, now, options);
            for (const perField of Object.values(result.audit.counts)) {
              for (const [action, n] of Object.entries(perField)) metrics.redactions.inc({ action }, n);
            }
            return result;
          },
        },
        audit,
      })),
    );
  }
  if (roles.includes('router')) {
    transform(ROUTER_STAGE, groups.router, topics.redacted, createRouterTransform({ topics, codec: redactedCodec, tenants, metrics, deadLetters }));
  }

  const deliverPlatforms = roles.filter((role) => role.startsWith('deliver:')).map((role) => role.slice(8) as Platform);
  if (deliverPlatforms.length > 0) {
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
    closers.unshift(() => redis.quit().catch(() => redis.disconnect()));
    // A platform sees at most the in-flight bound of its deliverer plus the parking drainer's units.
    const dispatcher = createDispatcher({
      ...config.http,
      connectionsPerOrigin: config.delivery.inFlight.perProcess + config.delivery.parkingDrainConcurrency,
    });
    closers.unshift(() => dispatcher.close());
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
    const deliveries = new DeliveryRepository(db);
    const parkingLot = new ParkingLot(db);
    const gate = createPreSendGate((platform, detectors) => {
      for (const detector of detectors) metrics.piiBlocked.inc({ platform, detector });
    });
    const platformView = createPlatformView(policy, payloadFieldKeys);
    const owner = `${process.pid}.${randomUUID()}`;
    // Per-platform request budgets (Goodera: per API key), shared by every instance through Redis.
    // OAuth tokens (Workday) encrypted in PostgreSQL, shared by every instance.
    // Both feed the token expiry gauges: those stored in PostgreSQL and those Benevity's connector holds in memory.
    const onToken = watchTokenExpiry(metrics);
    const tokens = createPostgresTokenStore(db, secretBox, { refreshMarginMs: config.providerTokens.refreshMarginMs, onToken });
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
    if (deliverPlatforms.includes('benevity')) {
      const endpoint = await startBenevityEndpoint({
        config,
        db,
        topics,
        deadLetters,
        resultCodec,
        tenants,
        metrics,
        logger: logger.child({ stage: 'callbacks.benevity' }),
      });
      benevity = endpoint;
      closers.unshift(() => endpoint.close());
    }
    for (const platform of deliverPlatforms) {
      const factory = CONNECTORS[platform]!;
      const stage = `deliver.${platform}`;
      // One breaker per platform: while it is open the platform's partitions pause (lag grows,
      // nothing is dropped or dead-lettered) until a half-open probe succeeds.
      const breaker = createPlatformBreaker(platform, config.delivery.breaker);
      closers.push(async () => breaker.shutdown());
      breaker.onStateChange((state) => metrics.breakerState.set({ platform }, { closed: 0, half_open: 1, open: 2 }[state]));
      metrics.breakerState.set({ platform }, 0);
      const pause: PauseOptions = {
        pauseOn: (error, signal) => (isImpactError(error) && error.code === 'CIRCUIT_OPEN' ? breaker.ready(signal) : undefined),
        onPause: (_topic, _partition, paused) => metrics.pausedPartitions.inc({ stage }, paused ? 1 : -1),
      };
      const connector = withTracing(withBreaker(
        factory.create(config, {
          dispatcher,
          gate,
          rateLimiter,
          contactBox: secretBox,
          tokens,
          onToken,
          ...(benevity === undefined ? {} : { callbackUrl: benevity.callbackUrl }),
        }),
        breaker,
      ));
      const common = {
        platform,
        topics,
        sink,
        codec: redactedCodec,
        resultCodec,
        deliveries,
        idempotency,
        tenants,
        platformView,
        metrics,
        deadLetters,
        logger: logger.child({ stage }),
        maxAttempts: config.delivery.maxAttempts,
        backoff: { baseMs: config.delivery.backoffBaseMs, maxMs: config.delivery.backoffMaxMs },
        leaseMs: config.redis.leaseMs,
        owner,
        unknownSettleMs: config.http.requestTimeoutMs,
      };
      const parking = { lot: parkingLot, afterMs: config.delivery.parkAfterMs };
      // The drainer's deliverer is the same stage without parking: a parked delivery retries in
      // place, off its partition, until it is final.
      const drainer = (deliver: MessageHandler) =>
        startParkingDrainer({
          platform,
          lot: parkingLot,
          deliver,
          logger: logger.child({ stage: `${stage}.parked` }),
          metrics,
          pollMs: 1_000,
          concurrency: config.delivery.parkingDrainConcurrency,
          leaseMs: 60_000,
          postponeMs: config.delivery.breaker.resetMs,
        });
      if (isBatchConnector(connector)) {
        // Batch platforms (Goodera) take a partition's fetch in chunks of many records and cut
        // them into requests per tenant: a chunk of one request's size would carry a quarter of
        // one with four tenants, and a rate-limited key would deliver a quarter of what it could.
        watched.push({ group: groups.deliver[platform], topic: topics.deliver[platform] });
        const consumer = createKafkaBatchConsumer(kafka, {
          ...pause,
          groupId: groups.deliver[platform],
          sessionTimeoutMs: config.kafka.sessionTimeoutMs,
          topics: [topics.deliver[platform]],
          maxChunk: config.platforms.goodera.chunkRecords,
          partitionsConsumedConcurrently: config.kafka.partitions,
          logger: logger.child({ stage }),
          retry: { baseMs: config.delivery.backoffBaseMs, maxMs: config.delivery.backoffMaxMs },
          onHandled: (_topic, seconds, count) => metrics.handleSeconds.observe({ stage }, seconds / Math.max(1, count)),
          onHandlerError: (_topic, error) =>
            metrics.handlerErrors.inc({ stage, code: (error as { code?: string }).code ?? 'unclassified' }),
        });
        consumers.push({ stage, consumer });
        starts.push(consumer.start(traceBatchHandler(stage, platform, createBatchDelivererHandler({ ...common, connector, parking }), describeRedacted)));
        const drain = traceBatchHandler(`${stage}.parked`, platform, createBatchDelivererHandler({ ...common, connector }), describeRedacted);
        const parked = drainer((message, signal, heartbeat) => drain([message], signal, heartbeat ?? (async () => undefined)));
        drainers.push(parked);
      } else {
        const options = { ...common, connector, jobPollDelayMs: config.platforms.benevity.callback.waitMs };
        watched.push({ group: groups.deliver[platform], topic: topics.deliver[platform] });
        run(
          deliverConsumer(stage, groups.deliver[platform], topics.deliver[platform], pause),
          traceHandler(stage, platform, createDelivererHandler({ ...options, parking }), describeRedacted),
        );
        const parked = drainer(traceHandler(`${stage}.parked`, platform, createDelivererHandler(options), describeRedacted));
        drainers.push(parked);
      }
      if (platform === 'benevity' && benevity && 'readJob' in connector) {
        benevity.startReconciler(connector as typeof connector & AsyncJobReader);
      }
    }
  }

  let relay: OutboxRelay | undefined;
  if (roles.includes('relay')) {
    relay = createOutboxRelay({
      db,
      databaseUrl: config.database,
      sink: traceSink('relay', meterResults(sink, { resultsTopic: topics.results, codec: resultCodec, metrics })),
      logger: logger.child({ stage: 'relay' }),
      batchSize: config.outbox.batchSize,
      pollIntervalMs: config.outbox.pollIntervalMs,
      onPublished: (count) => metrics.outboxPublished.inc(count),
      onError: () => metrics.outboxErrors.inc(),
    });
    relay.start();
    const started = relay;
    closers.unshift(() => started.stop());
    watchOutbox(metrics, db);
  }

  await Promise.all(starts);
  const readiness = () => {
    const parts: Record<string, boolean> = {};
    for (const { stage, consumer } of consumers) {
      parts[stage] = consumer.isHealthy();
      metrics.stageUp.set({ stage }, parts[stage] ? 1 : 0);
    }
    if (relay) parts.relay = relay.isHealthy();
    return parts;
  };
  // impactin_stage_up follows each scrape too, not only readiness probes.
  metrics.onScrape(() => void readiness());
  const health = await startHealthServer(config.server.host, config.server.port, registry, readiness);
  logger.info({ roles, healthPort: health.port, topics: topics.events }, 'impact-in started');

  let stopping: Promise<void> | undefined;
  return {
    healthPort: health.port,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('stopping: finishing in-flight work');
        await Promise.allSettled([...consumers.map(({ consumer }) => consumer.stop()), ...drainers.map((drainer) => drainer.stop())]);
        if (relay) {
          // Publish what the consumers just committed, so a clean stop leaves no result behind.
          for (let i = 0; i < 20; i++) {
            const published = await relay.publishBatch().catch(() => 0);
            if (published === 0) break;
            metrics.outboxPublished.inc(published);
          }
          // relay.stop() is the first of the closers below.
        }
        await health.close();
        for (const close of closers) await close().catch(() => undefined);
        logger.info('stopped');
      })()),
  };
}
