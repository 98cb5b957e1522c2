/** MessageSink over a kafkajs idempotent producer (acks=all, no duplicates from its own retries). */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { MessageSink, OutboundMessage } from '../ports.ts';
import { byTopic } from './message.ts';

export interface KafkaSink extends MessageSink {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export function createKafkaSink(kafka: Kafka): KafkaSink {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // An idempotent producer retries without limit (kafkajs warns otherwise): a broker outage
    // delays a send, it never turns it into a lost message.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    // Java-compatible murmur2 partitioning: the same key lands on the same partition whichever
    // client produced it, which per-key order across producers depends on.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send(messages: readonly OutboundMessage[]): Promise<void> {
      if (messages.length === 0) return;
      await producer.sendBatch({ acks: -1, topicMessages: byTopic(messages) });
    },
  };
}
