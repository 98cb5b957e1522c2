/** Creates impact-in's topics at start; existing topics are left as they are. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';

export interface TopicSpec {
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level configuration by topic name (e.g. max.message.bytes), for the topics it creates. */
  readonly configs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export async function ensureTopics(kafka: Kafka, topics: readonly string[], spec: TopicSpec): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      // createTopics answers false (not an error) for topics another instance created meanwhile.
      await admin.createTopics({
        // Waited for below: kafkajs's own wait gives up on the "unknown topic" a busy broker
        // answers for a moment after creating it.
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.configs?.[topic] ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForLeaders(admin, missing);
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Until every partition of `topics` has a leader; "unknown topic" right after creation is waited out. */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      const { type, cause } = error as { type?: string; cause?: { type?: string } };
      if (![type, cause?.type].some((t) => t === 'UNKNOWN_TOPIC_OR_PARTITION' || t === 'LEADER_NOT_AVAILABLE')) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader ${timeoutMs} ms after creation: ${topics.join(', ')}`);
    await sleep(200);
  }
}
