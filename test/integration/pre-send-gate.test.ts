/**
 * What must hold: a payload that slipped past redaction — injected here straight onto the
 * delivery topic — is stopped by the pre-send gate: the platform receives nothing, the delivery
 * is dead-lettered once with code PII_BLOCKED, its result says so, and the value appears in no
 * result, dead letter or log.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { redactedEventCodec } from '../../src/codec/avro/contract-codecs.ts';
import { loadRegistryConfig } from '../../src/config/config.ts';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { DLQ_HEADERS, openDeadLetter } from '../../src/kafka/dead-letter.ts';
import { createKafkaSink } from '../../src/kafka/kafkajs/producer.ts';
import { createConfluentRegistry } from '../../src/schemas/confluent/confluent-registry.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('gate');
  service = spawnService('gate', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

const LEAKED_EMAIL = 'leaked.person+gate@example.org';

function redactedEvent(eventId: string, projectId: string, payload: Record<string, unknown> = {}) {
  return {
    eventId,
    kind: 'volunteer_activity',
    tenantId: 'acme',
    occurredAt: '2026-11-20T10:00:00.000Z',
    source: 'hr',
    subject: { pseudonym: 'a'.repeat(64), keyId: 'p1' },
    payload: { activityName: 'Beach clean-up', hours: 3, activityDate: '2026-11-20', projectId, organizationId: 'org-1', ...payload },
    redaction: { policyVersion: 'injected', redactedAt: '2026-11-20T10:00:01.000Z' },
  };
}

/** A program outcome: its `outcome` text is sent to Goodera as an impact dimension's name. */
function outcomeEvent(eventId: string, outcome: string) {
  return {
    ...redactedEvent(eventId, 'prj-1'),
    kind: 'program_outcome',
    payload: { programId: 'prg-1', outcome, value: 3, unit: 'sessions' },
  };
}

test('an email that slipped past redaction is blocked before it is sent', async () => {
  const sink = createKafkaSink(pipeline.scenario.kafka);
  await sink.connect();
  const leakedId = '0b6f6c55-5d7e-4a39-9c1a-0f1e8b7a2c01';
  const cleanId = '0b6f6c55-5d7e-4a39-9c1a-0f1e8b7a2c02';
  // As the router forwards them: redacted events in the registry's wire format.
  const codec = redactedEventCodec(createConfluentRegistry(loadRegistryConfig(pipeline.scenario.env)), pipeline.topics.redacted);
  const encode = (event: ReturnType<typeof redactedEvent>) => codec.encode(event as RedactedEvent);
  await sink.send([
    { topic: pipeline.topics.deliver.goodera, key: 'acme:x', value: await encode(outcomeEvent(leakedId, `mentoring ${LEAKED_EMAIL}`) as never) },
    { topic: pipeline.topics.deliver.goodera, key: 'acme:x', value: await encode(redactedEvent(cleanId, 'prj-1')) },
  ]);
  await sink.disconnect();

  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 2, 60_000);
  await pipeline.tail.waitFor(pipeline.topics.deliverDlq.goodera, (m) => m.length >= 1, 30_000);

  const results = new Map(pipeline.results().map((r) => [r.eventId, r]));
  expect(results.get(leakedId)).toMatchObject({ status: 'dead_lettered', errorClass: 'PII_BLOCKED', attempts: 0 });
  expect(results.get(cleanId)).toMatchObject({ status: 'delivered' });
  expect(pipeline.goodera.stats().accepted).toBe(1);
  expect(JSON.stringify(pipeline.goodera.records())).not.toContain(LEAKED_EMAIL);

  const [dead] = pipeline.tail.messages(pipeline.topics.deliverDlq.goodera);
  expect(dead!.headers[DLQ_HEADERS.code]).toBe('PII_BLOCKED');
  expect(dead!.headers[DLQ_HEADERS.reason]).toContain('impactDimensions');
  expect(dead!.value!.toString()).not.toContain(LEAKED_EMAIL);
  // The original is kept, sealed, for redrive by someone holding the key.
  const box = createSecretBox(new Map([['k1', Buffer.from(pipeline.scenario.env.IMPACT_SECRET_KEY!, 'base64')]]), 'k1');
  expect(openDeadLetter(box, dead!).value.toString()).toContain(LEAKED_EMAIL);

  expect(JSON.stringify(pipeline.results())).not.toContain(LEAKED_EMAIL);
  const metrics = await fetch(`http://127.0.0.1:${await service.started}/metrics`).then((r) => r.text());
  expect(metrics).toMatch(/impactin_pii_blocked_total\{platform="goodera",detector="email"\} 1/);
  expect(readFileSync(service.logFile, 'utf8')).not.toContain(LEAKED_EMAIL);
});

test('values glued to punctuation, and people\'s names, are blocked too: the gate has the redactor\'s detectors', async () => {
  const sink = createKafkaSink(pipeline.scenario.kafka);
  await sink.connect();
  const codec = redactedEventCodec(createConfluentRegistry(loadRegistryConfig(pipeline.scenario.env)), pipeline.topics.redacted);
  const leaks = [
    { id: '0b6f6c55-5d7e-4a39-9c1a-0f1e8b7a2c11', event: redactedEvent('0b6f6c55-5d7e-4a39-9c1a-0f1e8b7a2c11', 'prj-555-123-4567'), value: '555-123-4567', detector: 'phone' },
    {
      id: '0b6f6c55-5d7e-4a39-9c1a-0f1e8b7a2c12',
      event: redactedEvent('0b6f6c55-5d7e-4a39-9c1a-0f1e8b7a2c12', 'prj-2', { organizationId: 'ref_4111111111111111' }),
      value: '4111111111111111',
      detector: 'payment_card',
    },
    { id: '0b6f6c55-5d7e-4a39-9c1a-0f1e8b7a2c13', event: outcomeEvent('0b6f6c55-5d7e-4a39-9c1a-0f1e8b7a2c13', 'led by Мария Кузнецова'), value: 'Мария Кузнецова', detector: 'person_name' },
  ];
  await sink.send(
    await Promise.all(
      leaks.map(async (leak) => ({
        topic: pipeline.topics.deliver.goodera,
        key: 'acme:y',
        value: await codec.encode(leak.event as RedactedEvent),
      })),
    ),
  );
  await sink.disconnect();

  const ids = new Set(leaks.map((l) => l.id));
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().filter((r) => ids.has(r.eventId)).length >= leaks.length, 60_000);
  const results = new Map(pipeline.results().map((r) => [r.eventId, r]));
  for (const leak of leaks) expect(results.get(leak.id), leak.detector).toMatchObject({ status: 'dead_lettered', errorClass: 'PII_BLOCKED', attempts: 0 });
  const received = JSON.stringify(pipeline.goodera.records());
  const log = readFileSync(service.logFile, 'utf8');
  const metrics = await fetch(`http://127.0.0.1:${await service.started}/metrics`).then((r) => r.text());
  for (const leak of leaks) {
    expect(received).not.toContain(leak.value);
    expect(JSON.stringify(pipeline.results())).not.toContain(leak.value);
    expect(log).not.toContain(leak.value);
    expect(metrics).toMatch(new RegExp(`impactin_pii_blocked_total\\{platform="goodera",detector="${leak.detector}"\\} 1`));
  }
});
