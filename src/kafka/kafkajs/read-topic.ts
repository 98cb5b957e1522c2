/**
 * Reads a topic from the beginning up to its end offsets at the time of the call (read_committed),
 * for operator tools such as `dlq inspect` and `dlq redrive`. No offsets are committed.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { InboundMessage } from '../ports.ts';
import { toInbound } from './message.ts';

export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  { timeoutMs = 60_000, quietMs = 3_000 } = {},
): Promise<InboundMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];
  const messages: InboundMessage[] = [];
  const consumer = kafka.consumer({ groupId: `impact-in.reader.${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    // Joining the group takes a few seconds: the quiet period starts counting after that grace.
    let lastMessageAt = Date.now() + 7_000;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        messages.push(toInbound(topic, partition, message));
        lastMessageAt = Date.now();
        if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) ends.delete(partition);
      },
    });
    // Done when every partition reached its end offset — or, since a transaction's commit marker
    // can hold the last offset (never delivered as a message), when nothing new came for a while.
    const started = Date.now();
    while (ends.size > 0 && Date.now() - lastMessageAt < quietMs) {
      if (Date.now() - started > timeoutMs) throw new Error(`reading ${topic} timed out after ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
