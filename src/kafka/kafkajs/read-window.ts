/**
 * Reads the messages of a topic published in a time window [from, to): for each partition, from
 * the first offset whose timestamp is at or after `from` (the broker's offsetsForTimes, as
 * `kafka-consumer-groups --reset-offsets --to-datetime` uses) up to the first at or after `to` —
 * or the partition's end. For operator tools (`replay plan`); read_committed, no offsets committed.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { InboundMessage } from '../ports.ts';
import { toInbound } from './message.ts';

export interface WindowRange {
  readonly partition: number;
  readonly start: bigint;
  readonly end: bigint;
}

/** The offset range of each partition that holds the window (empty partitions left out). */
export async function windowRanges(kafka: Kafka, topic: string, from: Date, to: Date): Promise<WindowRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const high = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    // -1 means "no message at or after the time": the window reaches the partition's end.
    const at = async (time: Date) =>
      new Map(
        (await admin.fetchTopicOffsetsByTimestamp(topic, time.getTime())).map((p) => [
          p.partition,
          BigInt(p.offset) < 0n ? high.get(p.partition)! : BigInt(p.offset),
        ]),
      );
    const starts = await at(from);
    const ends = await at(to);
    return [...high.keys()]
      .map((partition) => ({ partition, start: starts.get(partition) ?? 0n, end: ends.get(partition) ?? 0n }))
      .filter((range) => range.end > range.start);
  } finally {
    await admin.disconnect();
  }
}

export async function readWindow(
  kafka: Kafka,
  topic: string,
  from: Date,
  to: Date,
  { timeoutMs = 300_000, quietMs = 5_000 } = {},
): Promise<InboundMessage[]> {
  const ranges = await windowRanges(kafka, topic, from, to);
  if (ranges.length === 0) return [];
  const pending = new Map(ranges.map((range) => [range.partition, range]));
  const messages: InboundMessage[] = [];
  const consumer = kafka.consumer({ groupId: `impact-in.replay-plan.${randomUUID()}`, readUncommitted: false, maxBytes: 10 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let lastMessageAt = Date.now() + 7_000;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const range = pending.get(batch.partition);
        if (!range) return;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset < range.start) continue;
          if (offset >= range.end) break;
          messages.push(toInbound(topic, batch.partition, message));
        }
        lastMessageAt = Date.now();
        if (BigInt(batch.lastOffset()) + 1n >= range.end) pending.delete(batch.partition);
      },
    });
    for (const range of ranges) consumer.seek({ topic, partition: range.partition, offset: range.start.toString() });
    // Done when every partition reached its window's end — or, since a transaction's commit marker
    // can hold the last offset (never delivered as a message), when nothing new came for a while.
    const started = Date.now();
    while (pending.size > 0 && Date.now() - lastMessageAt < quietMs) {
      if (Date.now() - started > timeoutMs) throw new Error(`reading ${topic} timed out after ${timeoutMs} ms`);
      await sleep(50);
    }
  } finally {
    await consumer.disconnect();
  }
  return messages.filter((m) => Number(m.timestamp) >= from.getTime() && Number(m.timestamp) < to.getTime());
}
