/**
 * What every role of a process shares, opened once: metrics, the Kafka client and producer,
 * PostgreSQL (migrated), the topics (created), the schema registry's codecs, tenant
 * configuration, dead letters and the lag watcher. Each role's wiring (transform-roles.ts,
 * deliver-roles.ts, relay-role.ts) takes what it needs from here and registers what it opens, so
 * a failed start-up closes exactly what was opened.
 */
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import type { Config } from '../config/config.ts';
import { deliveryResultCodec, redactedEventCodec } from '../codec/avro/contract-codecs.ts';
import type { AsyncCodec } from '../codec/codec.ts';
import type { ParkingDrainer } from '../consumers/parking-drainer.ts';
import { createSecretBox, type SecretBox } from '../crypto/secret-box.ts';
import { createDb, type Db } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import type { DeliveryResult } from '../domain/delivery-result.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { createDeadLetters, type DeadLetters } from '../kafka/dead-letter.ts';
import { ensureTopics } from '../kafka/kafkajs/admin.ts';
import { createKafka } from '../kafka/kafkajs/client.ts';
import { createLagReader } from '../kafka/kafkajs/group-lag.ts';
import { createKafkaSink } from '../kafka/kafkajs/producer.ts';
import type { MessageSink, StageConsumer, TransformConsumer } from '../kafka/ports.ts';
import { allTopics, groupNames, topicConfigs, topicNames, type Groups, type Topics } from '../kafka/topics.ts';
import { watchConsumerLag, type WatchedGroup } from '../observability/collectors/consumer-lag.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { describeWith, type DescribeEvent } from '../observability/tracing/index.ts';
import type { validatePolicy } from '../redaction/policy/validate-policy.ts';
import { createConfluentRegistry } from '../schemas/confluent/confluent-registry.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import { listenForTenantChanges, type TenantChangeFeed } from '../db/tenant-change-feed.ts';
import { errorReason } from '../domain/errors.ts';
import { createCachedTenantDirectory, type TenantDirectory } from '../tenants/tenant-directory.ts';
import { TenantRepository } from '../tenants/tenant-repository.ts';
import type { Role } from './roles.ts';

/** What start-up has opened so far: a failure part-way closes exactly these. */
export interface Opened {
  /** Run in order on stop (clients last: push; things that use them: unshift). */
  readonly closers: (() => Promise<unknown>)[];
  readonly consumers: { stage: string; consumer: StageConsumer | TransformConsumer }[];
  readonly drainers: ParkingDrainer[];
}

export interface Core extends Opened {
  readonly config: Config;
  readonly logger: Logger;
  readonly policy: ReturnType<typeof validatePolicy>;
  readonly registry: Registry;
  readonly metrics: Metrics;
  readonly topics: Topics;
  readonly groups: Groups;
  readonly kafka: Kafka;
  readonly db: Db;
  readonly sink: MessageSink;
  readonly secretBox: SecretBox;
  readonly tenants: TenantDirectory;
  /** Tenant configuration changes as PostgreSQL announces them: caches subscribe to drop what changed. */
  readonly tenantChanges: TenantChangeFeed;
  readonly schemaRegistry: SchemaRegistry;
  readonly redactedCodec: AsyncCodec<RedactedEvent>;
  readonly resultCodec: AsyncCodec<DeliveryResult>;
  readonly deadLetters: DeadLetters;
  /** Span attributes (event id, tenant, kind) of a redacted event, read with its codec. */
  readonly describeRedacted: DescribeEvent;
  /** Groups whose lag this process reports; each role adds its own. */
  readonly watched: WatchedGroup[];
  /** Consumers' start promises: start-up waits for all of them. */
  readonly starts: Promise<void>[];
}

export async function openCore(
  config: Config,
  roles: readonly Role[],
  logger: Logger,
  policy: ReturnType<typeof validatePolicy>,
  opened: Opened,
): Promise<Core> {
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const topics = topicNames(config.kafka.topicPrefix);
  const kafka = createKafka(config.kafka, roles.length > 1 ? 'all' : roles[0]!, logger);
  const db = createDb(config.database, config.database.poolSize);
  opened.closers.push(() => db.destroy());

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
  opened.closers.unshift(() => sink.disconnect());

  const secretBox = createSecretBox(config.secrets.keys, config.secrets.keyId);
  const tenantChanges = listenForTenantChanges(config.database, {
    onError: (error) => logger.warn({ err: errorReason(error) }, 'tenant-change feed interrupted; reconnecting (cached tenant configuration expires within 10 s meanwhile)'),
  });
  await tenantChanges.start();
  opened.closers.push(() => tenantChanges.close());
  const tenants = createCachedTenantDirectory(new TenantRepository(db, secretBox), 10_000);
  tenantChanges.subscribe((tenantId) => tenants.invalidate(tenantId));
  // The schema registry holds every topic's contract; each stage encodes and decodes with it.
  const schemaRegistry = createConfluentRegistry(config.schemaRegistry);
  const redactedCodec = redactedEventCodec(schemaRegistry, topics.redacted);
  // Lag of every group this process runs, read from outside the group at each scrape.
  const watched: WatchedGroup[] = [];
  const lagReader = createLagReader(kafka);
  opened.closers.unshift(() => lagReader.close());
  watchConsumerLag(metrics, lagReader, watched);

  return {
    closers: opened.closers,
    consumers: opened.consumers,
    drainers: opened.drainers,
    config,
    logger,
    policy,
    registry,
    metrics,
    topics,
    groups: groupNames(config.kafka.topicPrefix),
    kafka,
    db,
    sink,
    secretBox,
    tenants,
    tenantChanges,
    schemaRegistry,
    redactedCodec,
    resultCodec: deliveryResultCodec(schemaRegistry, topics.results),
    deadLetters: createDeadLetters(secretBox),
    describeRedacted: describeWith(redactedCodec),
    watched,
    starts: [],
  };
}
