/** Creates impact-in's topics at start; existing topics are left as they are. */
import type { Kafka } from 'kafkajs';

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
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.configs?.[topic] ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
