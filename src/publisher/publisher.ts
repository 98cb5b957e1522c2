/**
 * The typed publisher domain services use: validates an impact event against the contract,
 * keys it by (tenant, subject) so per-subject order holds, and returns the event id.
 */
import { randomUUID } from 'node:crypto';
import { createJsonCodec } from '../codec/json-codec.ts';
import type { KafkaConfig } from '../config/config.ts';
import { impactEventSchema, orderingKey, type ImpactEvent } from '../domain/event.ts';
import { createKafka } from '../kafka/kafkajs/client.ts';
import { createKafkaSink } from '../kafka/kafkajs/producer.ts';
import { topicNames } from '../kafka/topics.ts';
import type { Logger } from '../observability/logger.ts';

/** An event as a caller writes it: the id may be left out and is then generated. */
export type NewImpactEvent = Omit<ImpactEvent, 'eventId'> & { eventId?: string };

export interface ImpactPublisher {
  publishImpactEvent(event: NewImpactEvent): Promise<string>;
  publishImpactEvents(events: readonly NewImpactEvent[]): Promise<string[]>;
  /** Sends bytes as they are (for tests and tools that need malformed input). */
  publishRaw(messages: readonly { key: string | null; value: Buffer | string }[]): Promise<void>;
  close(): Promise<void>;
}

export async function createImpactPublisher(config: KafkaConfig, logger: Logger): Promise<ImpactPublisher> {
  const sink = createKafkaSink(createKafka(config, 'publisher', logger));
  await sink.connect();
  const topic = topicNames(config.topicPrefix).events;
  const codec = createJsonCodec(impactEventSchema);

  const toMessage = (input: NewImpactEvent) => {
    const event = codec.decode(Buffer.from(JSON.stringify({ ...input, eventId: input.eventId ?? randomUUID() })));
    return { event, message: { topic, key: orderingKey(event), value: codec.encode(event) } };
  };

  return {
    async publishImpactEvent(input) {
      const { event, message } = toMessage(input);
      await sink.send([message]);
      return event.eventId;
    },
    async publishImpactEvents(inputs) {
      const prepared = inputs.map(toMessage);
      await sink.send(prepared.map((p) => p.message));
      return prepared.map((p) => p.event.eventId);
    },
    async publishRaw(messages) {
      await sink.send(messages.map((m) => ({ topic, key: m.key, value: m.value })));
    },
    close: () => sink.disconnect(),
  };
}
