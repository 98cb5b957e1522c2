/**
 * What the operator tools (the replay and dlq commands, the admin API) work with: PostgreSQL,
 * Kafka (a producer, readers), the secret box that unseals dead letters, and the deliver topics'
 * codec — built from the one parsed config, closed together.
 */
import type { Kafka } from 'kafkajs';
import { redactedEventCodec } from '../codec/avro/contract-codecs.ts';
import type { Config } from '../config/config.ts';
import { createSecretBox, type SecretBox } from '../crypto/secret-box.ts';
import { createDb, type Db } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { PLATFORMS, type Platform } from '../domain/platform.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { openDeadLetter } from '../kafka/dead-letter.ts';
import { createKafka } from '../kafka/kafkajs/client.ts';
import { createKafkaSink } from '../kafka/kafkajs/producer.ts';
import { readTopicToEnd } from '../kafka/kafkajs/read-topic.ts';
import { readWindow } from '../kafka/kafkajs/read-window.ts';
import type { InboundMessage, MessageSink } from '../kafka/ports.ts';
import { topicNames, type Topics } from '../kafka/topics.ts';
import type { Logger } from '../observability/logger.ts';
import { createConfluentRegistry } from '../schemas/confluent/confluent-registry.ts';
import type { RedriveDeps } from '../redrive/redrive.ts';
import { createVerifier, type Verifier } from '../replay/verify.ts';

export interface OperatorContext {
  readonly config: Config;
  readonly db: Db;
  readonly kafka: Kafka;
  readonly sink: MessageSink;
  readonly box: SecretBox;
  readonly topics: Topics;
  decode(value: Buffer): Promise<RedactedEvent>;
  readWindow(topic: string, from: Date, to: Date): Promise<InboundMessage[]>;
  readTopic(topic: string): Promise<InboundMessage[]>;
  redriveDeps(): RedriveDeps;
  close(): Promise<void>;
}

export async function openOperatorContext(config: Config, logger: Logger, clientId = 'operator'): Promise<OperatorContext> {
  const db = createDb(config.database, Math.min(config.database.poolSize, 5));
  await migrateToLatest(db);
  const kafka = createKafka(config.kafka, clientId, logger);
  const sink = createKafkaSink(kafka);
  await sink.connect();
  const box = createSecretBox(config.secrets.keys, config.secrets.keyId);
  const topics = topicNames(config.kafka.topicPrefix);
  const codec = redactedEventCodec(createConfluentRegistry(config.schemaRegistry), topics.redacted);
  const platformOf = (topic: string): Platform | null => PLATFORMS.find((p) => topics.deliver[p] === topic) ?? null;
  const verifiers = new Map<Platform, Verifier>();
  const verifierOf = (platform: Platform): Verifier => {
    let verifier = verifiers.get(platform);
    if (!verifier) {
      verifier = createVerifier(config, db, box, platform, logger);
      verifiers.set(platform, verifier);
    }
    return verifier;
  };
  const context: OperatorContext = {
    config,
    db,
    kafka,
    sink,
    box,
    topics,
    decode: (value) => codec.decode(value),
    readWindow: (topic, from, to) => readWindow(kafka, topic, from, to),
    readTopic: (topic) => readTopicToEnd(kafka, topic),
    redriveDeps: () => ({
      db,
      sink,
      open: (message) => openDeadLetter(box, message),
      decode: (value) => codec.decode(value),
      platformOf,
      // The platform's own lookup (shared rate limits), made only when a redrive needs it.
      exists: (platform, event, generation) => verifierOf(platform).exists(event, generation),
    }),
    async close() {
      await Promise.allSettled([...verifiers.values()].map((verifier) => verifier.close()));
      await sink.disconnect().catch(() => undefined);
      await db.destroy();
    },
  };
  return context;
}
