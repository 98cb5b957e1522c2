/**
 * What must hold: malformed messages among good ones — bytes that are not the schema-registry wire
 * format, a wrong magic byte, an unknown schema id, truncated Avro, a writer schema without a
 * required field, another schema's record, and Avro events that break the contract's rules (an id
 * field that is not an id among them, the field named in the reason) — go to
 * the events dead-letter topic with their reason, source topic, partition and offset in headers,
 * and their original key and bytes (sealed, since they may hold personal data); the pipeline goes
 * on delivering every good event.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { DLQ_HEADERS, openDeadLetter } from '../../src/kafka/dead-letter.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import avro from 'avsc';
import { toAvroDatum } from '../../src/schemas/avro-mapping.ts';
import { currentSchema } from '../../src/schemas/catalogue.ts';
import { avroFixtures, wireHeader } from './helpers/avro.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('malformed');
  service = spawnService('malformed', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

interface Malformed {
  readonly what: string;
  readonly value: Buffer;
  readonly code: 'DECODE_FAILED' | 'VALIDATION_FAILED';
  /** The field the reason must name. */
  readonly field?: string;
}

/** Ten kinds of bad input, built against the scenario's registry. */
async function malformed(good: NewImpactEvent): Promise<Malformed[]> {
  const fx = await avroFixtures(pipeline.scenario.env);
  const event = { ...good, eventId: '00000000-0000-4000-8000-00000000bad0' };
  const valid = fx.encodeUnchecked(event);
  const v1 = JSON.parse(currentSchema('impact-event').text) as { fields: { name: string }[] };
  const donation = sampleEvents(40, { tenants: TENANTS, seed: 7, now: new Date() }).find((e) => e.kind === 'donation')!;
  const activity = sampleEvents(40, { tenants: TENANTS, seed: 7, now: new Date() }).find((e) => e.kind === 'volunteer_activity')!;
  return [
    { what: 'text, not the wire format', value: Buffer.from('not json at all'), code: 'DECODE_FAILED' },
    { what: 'empty value', value: Buffer.alloc(0), code: 'DECODE_FAILED' },
    { what: 'a JSON event (a producer without the registry)', value: Buffer.from(JSON.stringify(event)), code: 'DECODE_FAILED' },
    { what: 'wrong magic byte', value: fx.encodeUnchecked(event, 1), code: 'DECODE_FAILED' },
    { what: 'unknown schema id', value: Buffer.concat([wireHeader(2_000_000_000), valid.subarray(5)]), code: 'DECODE_FAILED' },
    { what: 'truncated Avro', value: valid.subarray(0, 20), code: 'DECODE_FAILED' },
    {
      // Registered under its own subject: a writer without `source`, which our schema requires.
      what: 'a required field missing',
      value: await fx.otherSchema(
        'missing-source',
        { ...v1, fields: v1.fields.filter((field) => field.name !== 'source') },
        toAvroDatum(avro.Type.forSchema({ ...v1, fields: v1.fields.filter((field) => field.name !== 'source') } as avro.Schema), event),
      ),
      code: 'DECODE_FAILED',
    },
    {
      what: 'another schema (wrong types)',
      value: await fx.otherSchema('wrong-types', { type: 'record', name: 'Other', fields: [{ name: 'eventId', type: 'long' }] }, { eventId: 42 }),
      code: 'DECODE_FAILED',
    },
    {
      what: '30 volunteer hours in a day',
      value: fx.encodeUnchecked({ ...activity, eventId: event.eventId, payload: { ...activity.payload, hours: 30 } }),
      code: 'VALIDATION_FAILED',
    },
    {
      what: 'a currency that is not ISO 4217',
      value: fx.encodeUnchecked({ ...donation, eventId: event.eventId, payload: { ...donation.payload, currency: 'ABC' } }),
      code: 'VALIDATION_FAILED',
    },
    {
      what: 'a project id with a space and an @',
      value: fx.encodeUnchecked({ ...activity, eventId: event.eventId, payload: { ...activity.payload, projectId: 'prj 1@x' } }),
      code: 'VALIDATION_FAILED',
      field: 'payload.projectId',
    },
    {
      what: 'a recipient id in another script',
      value: fx.encodeUnchecked({ ...donation, eventId: event.eventId, payload: { ...donation.payload, recipientId: 'благотворительность' } }),
      code: 'VALIDATION_FAILED',
      field: 'payload.recipientId',
    },
    {
      what: 'an event from tomorrow',
      value: fx.encodeUnchecked({ ...event, occurredAt: new Date(Date.now() + 86_400_000).toISOString() }),
      code: 'VALIDATION_FAILED',
    },
  ];
}

test('13 malformed among 100 good → 100 delivered, 13 dead-lettered with reason and source', async () => {
  const good = sampleEvents(100, { tenants: TENANTS, seed: 99, now: new Date() });
  const MALFORMED = await malformed(good[0]!);
  // Interleave: bad messages between good ones, on the same topic.
  const ids: string[] = [];
  for (let i = 0; i < MALFORMED.length; i++) {
    const slice = good.slice(i * 10, i * 10 + 10);
    if (slice.length > 0) ids.push(...(await pipeline.publisher.publishImpactEvents(slice)));
    await pipeline.publisher.publishRaw([{ key: `bad-${i}`, value: MALFORMED[i]!.value }]);
  }

  await pipeline.tail.waitFor(pipeline.topics.eventsDlq, (m) => m.length >= MALFORMED.length, 60_000);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 100, 120_000);

  const results = pipeline.results();
  expect(results).toHaveLength(100);
  expect(new Set(results.map((r) => r.eventId))).toEqual(new Set(ids));
  expect(pipeline.goodera.stats().distinctKeys).toBe(100);

  const dead = pipeline.tail.messages(pipeline.topics.eventsDlq);
  expect(dead).toHaveLength(MALFORMED.length);
  const box = createSecretBox(new Map([['k1', Buffer.from(pipeline.scenario.env.IMPACT_SECRET_KEY!, 'base64')]]), 'k1');
  const indexes = new Set<number>();
  for (const message of dead) {
    const opened = openDeadLetter(box, message);
    const index = Number(opened.key!.toString().slice(4));
    indexes.add(index);
    const original = MALFORMED[index]!;
    expect(opened.value.equals(original.value), original.what).toBe(true);
    expect(opened.topic).toBe(pipeline.topics.events);
    expect(message.headers[DLQ_HEADERS.code], original.what).toBe(original.code);
    expect(message.headers[DLQ_HEADERS.reason]!.length).toBeGreaterThan(0);
    if (original.field) expect(message.headers[DLQ_HEADERS.reason], original.what).toContain(original.field);
    expect(message.headers[DLQ_HEADERS.stage]).toBe('redactor');
    expect(message.headers[DLQ_HEADERS.sourceTopic]).toBe(pipeline.topics.events);
    expect(Number(message.headers[DLQ_HEADERS.sourcePartition])).toBeGreaterThanOrEqual(0);
    expect(message.headers[DLQ_HEADERS.sourceOffset]).toMatch(/^\d+$/);
  }
  expect(indexes.size).toBe(MALFORMED.length);
  // Nothing was dead-lettered further down the pipeline.
  expect(pipeline.tail.messages(pipeline.topics.deliverDlq.goodera)).toHaveLength(0);
});
