/**
 * Reads topics from the beginning into memory, without a consumer group's committed offsets
 * mattering (a fresh group each time). For the demo's progress, `dlq inspect` and tests.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { InboundMessage } from '../ports.ts';
import { toInbound } from './message.ts';

export interface TopicTail {
  /** Messages seen so far on `topic`. */
  messages(topic: string): readonly InboundMessage[];
  /** Resolves when `predicate` holds over the messages of `topic`, or rejects after timeoutMs. */
  waitFor(topic: string, predicate: (messages: readonly InboundMessage[]) => boolean, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function tailTopics(kafka: Kafka, topics: readonly string[], groupPrefix = 'impact-in.tail'): Promise<TopicTail> {
  const seen = new Map<string, InboundMessage[]>(topics.map((topic) => [topic, []]));
  const waiters = new Set<() => void>();
  let checkScheduled = false;
  const consumer = kafka.consumer({ groupId: `${groupPrefix}.${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      seen.get(topic)?.push(toInbound(topic, partition, message));
      // Predicates are checked once per turn of the event loop, not once per message: a fetch of
      // thousands of messages would otherwise run every predicate thousands of times.
      if (!checkScheduled) {
        checkScheduled = true;
        setImmediate(() => {
          checkScheduled = false;
          for (const wake of waiters) wake();
        });
      }
    },
  });
  return {
    messages: (topic) => seen.get(topic) ?? [],
    waitFor(topic, predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(seen.get(topic) ?? [])) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting on ${topic} (${seen.get(topic)?.length ?? 0} messages)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
