/** Consumer-group offsets and lag per partition and a topic's depth, for the admin API (one admin client, reused). The service's lag metric reads through group-lag.ts's LagReader port. */
import type { Admin, Kafka } from 'kafkajs';

export interface PartitionLag {
  readonly partition: number;
  /** The group's committed offset; null when it has none. */
  readonly committed: string | null;
  readonly end: string;
  readonly lag: number;
}

export interface LagReader {
  lag(group: string, topic: string): Promise<PartitionLag[]>;
  /** Messages retained on the topic (end − start offsets, summed over partitions). */
  depth(topic: string): Promise<number>;
  close(): Promise<void>;
}

export async function createLagReader(kafka: Kafka): Promise<LagReader> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  return {
    async lag(group, topic) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, p.offset]));
      return ends
        .map((p) => {
          const offset = byPartition.get(p.partition);
          const has = offset !== undefined && Number(offset) >= 0;
          const from = has ? BigInt(offset) : BigInt(p.low);
          return { partition: p.partition, committed: has ? offset : null, end: p.high, lag: Number(BigInt(p.high) - from) };
        })
        .sort((a, b) => a.partition - b.partition);
    },
    async depth(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
    },
    close: () => admin.disconnect(),
  };
}
