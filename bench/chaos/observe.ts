/**
 * What a chaos run measures besides results: the pipeline's consumer lag once it is quiet, and
 * each service process's resident memory and event-loop lag over time (from its /metrics).
 */
import { readFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { groupNames, topicNames } from '../../src/kafka/topics.ts';
import { PLATFORMS } from '../../src/domain/platform.ts';

/** Each pipeline consumer group with the topic it reads. */
function pipelineGroups(prefix: string): [group: string, topic: string][] {
  const topics = topicNames(prefix);
  const groups = groupNames(prefix);
  return [
    [groups.redactor, topics.events],
    [groups.router, topics.redacted],
    ...PLATFORMS.map((p): [string, string] => [groups.deliver[p], topics.deliver[p]]),
  ];
}

/**
 * Data messages each pipeline group has not consumed. The high watermark alone over-counts: a
 * transactional producer ends each transaction with a control marker that takes an offset and is
 * never delivered, so a partition whose committed offset sits below the high watermark is read
 * from there (read_committed) to see whether any real message remains.
 */
export async function pipelineLag(kafka: Kafka, prefix: string): Promise<number> {
  const pairs = pipelineGroups(prefix);
  const admin = kafka.admin();
  await admin.connect();
  const behind: { topic: string; partition: number; from: number; high: number }[] = [];
  try {
    for (const [groupId, topic] of pairs) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const end of ends) {
        const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        const from = at < 0 ? Number(end.low) : at;
        if (from < Number(end.high)) behind.push({ topic, partition: end.partition, from, high: Number(end.high) });
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (behind.length === 0) return 0;
  let unread = 0;
  const consumer = kafka.consumer({ groupId: `chaos.lag.${Date.now()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [...new Set(behind.map((b) => b.topic))] });
  const assigned = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const b = behind.find((x) => x.topic === topic && x.partition === partition);
      if (b && Number(message.offset) >= b.from && Number(message.offset) < b.high) unread++;
    },
  });
  await assigned;
  for (const b of behind) consumer.seek({ topic: b.topic, partition: b.partition, offset: String(b.from) });
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  await consumer.disconnect();
  return unread;
}

/**
 * Messages the pipeline's groups have yet to consume, from offsets alone (cheap enough to sample
 * every few seconds): high watermark minus committed offset, summed. Each transactional write
 * leaves a commit marker at the end of a partition, so an idle pipeline reads a small constant
 * (at most one per partition), not 0; `pipelineLag` gives the exact figure at the end.
 */
export async function pipelineBacklog(kafka: Kafka, prefix: string): Promise<number> {
  const pairs = pipelineGroups(prefix);
  const admin = kafka.admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    let backlog = 0;
    for (const [groupId, topic] of pairs) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const end of ends) {
        const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        backlog += Number(end.high) - (at < 0 ? Number(end.low) : at);
      }
    }
    return backlog;
  } finally {
    await admin.disconnect();
  }
}

export interface ProcessSample {
  readonly atS: number;
  readonly role: string;
  readonly rssMb: number;
  readonly eventLoopP99Ms: number;
}

/** RSS from /proc and the event-loop p99 from the service's Prometheus metrics. */
export async function sampleProcess(role: string, pid: number, healthPort: number, atS: number): Promise<ProcessSample | undefined> {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const metrics = await fetch(`http://127.0.0.1:${healthPort}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text());
    const p99 = Number(/^impactin_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(metrics)?.[1] ?? Number.NaN);
    return { atS, role, rssMb: Math.round(rssKb / 102.4) / 10, eventLoopP99Ms: Math.round(p99 * 10_000) / 10 };
  } catch {
    return undefined; // the process is being restarted by a fault
  }
}
