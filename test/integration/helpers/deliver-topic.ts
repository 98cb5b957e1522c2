/**
 * Puts redacted events straight onto a platform's deliver topic, in the registry's wire format,
 * as the router forwards them — for scenarios that need events the deliverers have not seen.
 */
import { redactedEventCodec } from '../../../src/codec/avro/contract-codecs.ts';
import { loadRegistryConfig } from '../../../src/config/config.ts';
import type { Platform } from '../../../src/domain/platform.ts';
import type { RedactedEvent } from '../../../src/domain/redacted-event.ts';
import { createKafkaSink } from '../../../src/kafka/kafkajs/producer.ts';
import { createConfluentRegistry } from '../../../src/schemas/confluent/confluent-registry.ts';
import type { Pipeline } from './pipeline.ts';

export function redactedActivity(eventId: string, tenantId: string, subject: string): RedactedEvent {
  return {
    eventId,
    kind: 'volunteer_activity',
    tenantId,
    occurredAt: '2026-11-20T10:00:00.000Z',
    source: 'hr',
    subject: { pseudonym: subject.padEnd(64, '0'), keyId: 'p1' },
    payload: { activityName: 'Beach clean-up', hours: 3, activityDate: '2026-11-20', projectId: 'prj-1', organizationId: 'org-1' },
    redaction: { policyVersion: 'injected', redactedAt: '2026-11-20T10:00:01.000Z' },
  } as RedactedEvent;
}

export async function putOnDeliverTopic(pipeline: Pipeline, events: readonly RedactedEvent[], platform: Platform = 'goodera'): Promise<void> {
  const codec = redactedEventCodec(createConfluentRegistry(loadRegistryConfig(pipeline.scenario.env)), pipeline.topics.redacted);
  const sink = createKafkaSink(pipeline.scenario.kafka);
  await sink.connect();
  try {
    const messages = [];
    for (const event of events) {
      messages.push({ topic: pipeline.topics.deliver[platform], key: `${event.tenantId}:${event.subject.pseudonym}`, value: await codec.encode(event) });
    }
    // In slices: one produce request stays well under the broker's size limit.
    for (let start = 0; start < messages.length; start += 1_000) await sink.send(messages.slice(start, start + 1_000));
  } finally {
    await sink.disconnect();
  }
}
