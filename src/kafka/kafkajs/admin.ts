/** Creates impact-in's topics at start; existing topics are left as they are. */
import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  readonly partitions: number;
  readonly replicationFactor: number;
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
        })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
