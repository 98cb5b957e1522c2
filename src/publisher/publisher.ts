/**
 * The typed publisher domain services use: validates an impact event against the contract,
 * encodes it with the schema registry (Avro in the Confluent wire format, the contract's current
 * schema, which must be registered — `impact-in schemas push`), keys it by (tenant, subject) so
 * per-subject order holds, and returns the event id. A contract break throws VALIDATION_FAILED
 * naming the field; a registry that cannot be reached throws DEPENDENCY_UNAVAILABLE (retryable):
 * nothing was sent, try again.
 */
import { randomUUID } from 'node:crypto';
import { impactEventCodec } from '../codec/avro/contract-codecs.ts';
import { loadKafkaConfig, loadRegistryConfig, type KafkaConfig, type RegistryConfig } from '../config/config.ts';
import { orderingKey, type ImpactEvent } from '../domain/event.ts';
import { createKafka } from '../kafka/kafkajs/client.ts';
import { createKafkaSink } from '../kafka/kafkajs/producer.ts';
import { topicNames } from '../kafka/topics.ts';
import type { Logger } from '../observability/logger.ts';
import { traceSink } from '../observability/tracing/stage-spans.ts';
import { createConfluentRegistry } from '../schemas/confluent/confluent-registry.ts';

/** An event as a caller writes it: the id may be left out and is then generated. */
export type NewImpactEvent = Omit<ImpactEvent, 'eventId'> & { eventId?: string };

export interface ImpactPublisher {
  publishImpactEvent(event: NewImpactEvent): Promise<string>;
  publishImpactEvents(events: readonly NewImpactEvent[]): Promise<string[]>;
  /** Sends bytes as they are (for tests and tools that need malformed input). */
  publishRaw(messages: readonly { key: string | null; value: Buffer | string }[]): Promise<void>;
  close(): Promise<void>;
}

/** What a publisher needs: the brokers and topic prefix, and the schema registry. */
export interface PublisherConfig {
  readonly kafka: KafkaConfig;
  readonly schemaRegistry: RegistryConfig;
}

/** The publisher's slice of the environment (KAFKA_*, TOPIC_PREFIX, SCHEMA_REGISTRY_*). */
export function loadPublisherConfig(env: NodeJS.ProcessEnv = process.env): PublisherConfig {
  return { kafka: loadKafkaConfig(env), schemaRegistry: loadRegistryConfig(env) };
}

export async function createImpactPublisher(config: PublisherConfig, logger: Logger): Promise<ImpactPublisher> {
  const sink = traceSink('publish', createKafkaSink(createKafka(config.kafka, 'publisher', logger)));
  await sink.connect();
  const topic = topicNames(config.kafka.topicPrefix).events;
  const codec = impactEventCodec(createConfluentRegistry(config.schemaRegistry), topic);

  const toMessage = async (input: NewImpactEvent) => {
    const event = { ...input, eventId: input.eventId ?? randomUUID() } as ImpactEvent;
    // encode validates against the contract first: nothing invalid reaches the topic.
    const value = await codec.encode(event);
    return { eventId: event.eventId, message: { topic, key: orderingKey(event), value } };
  };

  return {
    async publishImpactEvent(input) {
      const { eventId, message } = await toMessage(input);
      await sink.send([message]);
      return eventId;
    },
    async publishImpactEvents(inputs) {
      const prepared = await Promise.all(inputs.map(toMessage));
      await sink.send(prepared.map((p) => p.message));
      return prepared.map((p) => p.eventId);
    },
    async publishRaw(messages) {
      await sink.send(messages.map((m) => ({ topic, key: m.key, value: m.value })));
    },
    close: () => sink.disconnect(),
  };
}
