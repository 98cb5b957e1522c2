/**
 * After a run: when each event reached the redacted topic and each (event, platform) its deliver
 * topic — the record timestamps the redactor's and the router's producers set — read committed
 * from the beginning (aborted transactions' records are skipped), the first copy kept.
 */
import type { Kafka } from 'kafkajs';
import type { AsyncCodec } from '../../src/codec/codec.ts';
import type { Platform } from '../../src/domain/platform.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { tailTopics } from '../../src/kafka/kafkajs/topic-tail.ts';
import type { Topics } from '../../src/kafka/topics.ts';

export interface StageStamps {
  /** Event id → the redacted record's timestamp, ms. */
  readonly redactedAt: Map<string, number>;
  /** `eventId:platform` → the deliver record's timestamp, ms. */
  readonly routedAt: Map<string, number>;
}

export async function readStageStamps(
  kafka: Kafka,
  topics: Topics,
  codec: AsyncCodec<RedactedEvent>,
  expected: { redacted: number; deliver: Record<Platform, number> },
  groupPrefix: string,
  timeoutMs = 60_000,
): Promise<StageStamps> {
  const platformOf = new Map(Object.entries(topics.deliver).map(([platform, topic]) => [topic, platform as Platform]));
  const tail = await tailTopics(kafka, [topics.redacted, ...platformOf.keys()], groupPrefix);
  try {
    await tail.waitFor(topics.redacted, (m) => m.length >= expected.redacted, timeoutMs);
    for (const [topic, platform] of platformOf) await tail.waitFor(topic, (m) => m.length >= expected.deliver[platform], timeoutMs);
    const redactedAt = new Map<string, number>();
    const routedAt = new Map<string, number>();
    for (const message of tail.messages(topics.redacted)) {
      const { eventId } = await codec.decode(message.value!);
      if (!redactedAt.has(eventId)) redactedAt.set(eventId, Number(message.timestamp));
    }
    for (const [topic, platform] of platformOf) {
      for (const message of tail.messages(topic)) {
        const key = `${(await codec.decode(message.value!)).eventId}:${platform}`;
        if (!routedAt.has(key)) routedAt.set(key, Number(message.timestamp));
      }
    }
    return { redactedAt, routedAt };
  } finally {
    await tail.stop();
  }
}
