/**
 * What must hold: impact events produced by an independent client — Confluent's Python client
 * (Debian's python3-confluent-kafka, librdkafka underneath) with the registry's own Avro
 * serializer, no impact-in code involved — are real Confluent wire format (magic byte 0, a schema
 * id the registry holds under the events subject), and every one is consumed and delivered once:
 * one 'delivered' result per event id, one record each at Goodera, nothing dead-lettered, the
 * records equal to those of the same events sent by our TypeScript publisher, and none of their
 * personal data at the platform.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import avro from 'avsc';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { DeliveryResult } from '../../src/domain/delivery-result.ts';
import type { ImpactEvent } from '../../src/domain/event.ts';
import { readTopicToEnd } from '../../src/kafka/kafkajs/read-topic.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { valueSubject } from '../../src/schemas/catalogue.ts';
import type { GooderaEntry } from '../../src/simulators/goodera/goodera.routes.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
/** Debian's interpreter: the packages are Debian's, a pyenv/venv python on PATH would not see them. */
const PYTHON = '/usr/bin/python3';
const PRODUCER = `${ROOT}test/interop/produce_avro.py`;
const INSTALL_HINT =
  'the interop scenario needs Confluent\'s Python client from Debian: run `bash deploy/local/stack.sh tools` ' +
  '(as root; installs python3-confluent-kafka python3-avro python3-requests), or `make test`, which does it';
const COUNT = 40;
const run = promisify(execFile);
type PayloadOf<K extends ImpactEvent['kind']> = Extract<ImpactEvent, { kind: K }>['payload'];

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('interop');
  service = spawnService('interop', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

/** Runs the Python producer with `events` as JSON lines on stdin; resolves with its stdout. */
function producePython(events: readonly NewImpactEvent[]): Promise<{ stdout: string; stderr: string }> {
  const env = pipeline.scenario.env;
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      [PRODUCER, '--brokers', env.KAFKA_BROKERS!, '--registry', env.SCHEMA_REGISTRY_URL!, '--topic', pipeline.topics.events,
        '--schema', `${ROOT}schemas/impact-event/v1.avsc`],
      { cwd: ROOT, timeout: 90_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`produce_avro.py failed: ${String(error)}\n${stderr}`)) : resolve({ stdout, stderr })),
    );
    child.stdin!.end(events.map((event) => JSON.stringify(event)).join('\n') + '\n');
  });
}

async function registryGet(path: string): Promise<unknown> {
  const response = await fetch(`${pipeline.scenario.env.SCHEMA_REGISTRY_URL}${path}`);
  expect(response.status, `GET ${path}`).toBe(200);
  return response.json();
}

/** A Goodera record without what is specific to one event id (its ids and arrival time). */
function content(entry: GooderaEntry): unknown {
  const { id: _id, externalId: _externalId, createdAt: _createdAt, metadata, ...rest } = entry.record;
  return { tenant: entry.tenant, ...rest, metadata: { ...metadata, impactInEventId: undefined } };
}

test('events produced by the Python confluent-kafka client with the registry serializer are delivered like our own', async () => {
  // A missing client fails this test naming the fix — never a skip: this scenario is the interop proof.
  await run(PYTHON, ['-c', 'import confluent_kafka.avro, avro, requests'], { timeout: 30_000 }).catch((error: unknown) => {
    throw new Error(`${INSTALL_HINT} (${PYTHON} -c 'import confluent_kafka.avro, avro, requests' failed: ${String(error).slice(0, 400)})`);
  });

  // Every kind (sampleEvents cycles them), PII in name/email/phone, fixed seed and event ids.
  const events = sampleEvents(COUNT, { tenants: TENANTS, seed: 3141, now: new Date() }).map((event, i) => ({
    ...event,
    eventId: `7e57${String(i).padStart(4, '0')}-0000-4000-8000-${'0'.repeat(8)}${String(i).padStart(4, '0')}`,
  }));
  expect(new Set(events.map((e) => e.kind)).size).toBe(4);
  const ids = events.map((e) => e.eventId);

  const { stdout } = await producePython(events);
  expect(stdout.trim()).toBe(String(COUNT));

  // The bytes on the topic are the Python serializer's: Confluent wire format with a schema id
  // the registry holds under the events subject, and Avro that decodes (with that schema) to our events.
  const [raw] = await Promise.all([
    readTopicToEnd(pipeline.scenario.kafka, pipeline.topics.events),
    pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= COUNT, 120_000),
  ]);
  expect(raw).toHaveLength(COUNT);
  const schemaIds = new Set(raw.map((m) => m.value!.readInt32BE(1)));
  expect(raw.every((m) => m.value!.length > 5 && m.value![0] === 0)).toBe(true);
  expect(schemaIds.size).toBe(1);
  const [schemaId] = schemaIds as Set<number>;
  const subject = valueSubject(pipeline.topics.events);
  const versions = (await registryGet(`/subjects/${encodeURIComponent(subject)}/versions`)) as number[];
  const idsUnderSubject = await Promise.all(
    versions.map(async (v) => ((await registryGet(`/subjects/${encodeURIComponent(subject)}/versions/${v}`)) as { id: number }).id),
  );
  expect(idsUnderSubject).toContain(schemaId);
  const writer = avro.Type.forSchema(JSON.parse(((await registryGet(`/schemas/ids/${schemaId}`)) as { schema: string }).schema));
  const byId = new Map(events.map((e) => [e.eventId, e]));
  for (const message of raw) {
    const decoded = writer.fromBuffer(message.value!.subarray(5)) as { eventId: string; tenantId: string; subject: { employeeId: string } };
    const sent = byId.get(decoded.eventId);
    expect(sent, decoded.eventId).toBeDefined();
    expect(message.key!.toString()).toBe(`${sent!.tenantId}:${sent!.subject.employeeId}`);
  }

  // Delivered, each once.
  const results = pipeline.results();
  expect(results).toHaveLength(COUNT);
  expect(new Set(results.map((r) => r.eventId))).toEqual(new Set(ids));
  for (const result of results) expect(result).toMatchObject({ platform: 'goodera', status: 'delivered', errorClass: null });
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: COUNT, distinctKeys: COUNT, duplicates: 0 });
  expect(pipeline.tail.messages(pipeline.topics.eventsDlq)).toHaveLength(0);

  // Content: fields mapped from the Avro the Python client wrote.
  const records = new Map(pipeline.goodera.records().map((entry) => [entry.value.record.metadata?.impactInEventId, entry.value]));
  expect(records.size).toBe(COUNT);
  const volunteer = events.find((e) => e.kind === 'volunteer_activity')!;
  const hours = (volunteer.payload as PayloadOf<'volunteer_activity'>).hours;
  const donation = events.find((e) => e.kind === 'donation')!;
  const gift = donation.payload as PayloadOf<'donation'>;
  expect(records.get(volunteer.eventId)).toMatchObject({
    tenant: volunteer.tenantId,
    record: {
      recordType: 'volunteer_participation',
      occurredAt: volunteer.occurredAt,
      reportingPeriod: volunteer.occurredAt.slice(0, 7),
      projectId: (volunteer.payload as PayloadOf<'volunteer_activity'>).projectId,
      impactDimensions: [{ name: 'volunteer_hours', value: hours, unit: 'hours' }],
    },
  });
  expect(records.get(donation.eventId)).toMatchObject({
    tenant: donation.tenantId,
    record: {
      recordType: 'donation',
      occurredAt: donation.occurredAt,
      impactDimensions: [{ name: 'donation_amount', value: gift.amountMinor, unit: `${gift.currency}_minor` }],
    },
  });

  // No personal data of the Python-produced events reached the platform.
  const sent = JSON.stringify(pipeline.goodera.records());
  for (const event of events) {
    for (const value of [event.subject.name!, event.subject.email!, event.subject.phone!, `"${event.subject.employeeId}"`]) {
      expect(sent).not.toContain(value);
    }
  }

  // The same events (new ids) through our TypeScript publisher give the same Goodera records.
  const twins = events.map((event) => ({ ...event, eventId: randomUUID() as string }));
  const twinOf = new Map(twins.map((twin, i) => [twin.eventId, events[i]!.eventId]));
  await pipeline.publisher.publishImpactEvents(twins);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 2 * COUNT, 120_000);
  const all: DeliveryResult[] = pipeline.results();
  expect(all.filter((r) => twinOf.has(r.eventId)).every((r) => r.status === 'delivered')).toBe(true);
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: 2 * COUNT, distinctKeys: 2 * COUNT, duplicates: 0 });
  const entries = new Map(pipeline.goodera.records().map((entry) => [entry.value.record.metadata?.impactInEventId, entry.value]));
  for (const [twinId, pythonId] of twinOf) {
    expect(content(entries.get(pythonId)!), pythonId).toEqual(content(entries.get(twinId)!));
  }
  expect(pipeline.tail.messages(pipeline.topics.eventsDlq)).toHaveLength(0);
});
