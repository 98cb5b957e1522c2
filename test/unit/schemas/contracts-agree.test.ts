/**
 * What must hold: each contract's Avro schema (schemas/<contract>/v<N>.avsc) and its zod schema
 * agree on every field of every kind — names, required vs optional, types, enum symbols — and
 * every sample value round-trips zod → Avro bytes → zod unchanged. A change to one definition
 * that is not made to the other fails here.
 */
import avro from 'avsc';
import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { DELIVERY_STATUSES, deliveryResultSchema, type DeliveryResult } from '../../../src/domain/delivery-result.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { EVENT_KINDS, impactEventSchema, PAYLOAD_SCHEMAS, type ImpactEvent } from '../../../src/domain/event.ts';
import { redactedEventSchema } from '../../../src/domain/redacted-event.ts';
import { createDeadLetters } from '../../../src/kafka/dead-letter.ts';
import { allTopics, topicNames } from '../../../src/kafka/topics.ts';
import { dropAbsentNulls, fromAvroDatum, toAvroDatum } from '../../../src/schemas/avro-mapping.ts';
import { CONTRACTS, currentSchema, loadSchemaVersions } from '../../../src/schemas/catalogue.ts';
import { deadLetterEnvelope, deadLetterEnvelopeSchema } from '../../../src/schemas/dead-letter-envelope.ts';
import { avroShape, shapeDifferences, zodShape, type Shape } from '../../../src/schemas/shape.ts';
import { impactEvents, testKey } from '../fixtures.ts';
import { redact } from '../redacted-fixtures.ts';

const PAYLOAD_RECORDS = {
  volunteer_activity: 'VolunteerActivity',
  donation: 'Donation',
  program_enrolment: 'ProgramEnrolment',
  program_outcome: 'ProgramOutcome',
} as const;

function roundTrip(schema: z.ZodType, type: avro.Type, value: unknown): unknown {
  const bytes = type.toBuffer(toAvroDatum(type, value));
  return schema.parse(dropAbsentNulls(schema, fromAvroDatum(type, type.fromBuffer(bytes))));
}

function payloadBranch(contract: 'impact-event' | 'redacted-event', kind: keyof typeof PAYLOAD_RECORDS): Shape {
  const type = currentSchema(contract).type as avro.types.RecordType;
  const union = type.field('payload').type as avro.types.WrappedUnionType;
  const branch = union.types.find((candidate) => candidate.name?.endsWith(`.${PAYLOAD_RECORDS[kind]}`));
  if (!branch) throw new Error(`${contract}: no payload record ${PAYLOAD_RECORDS[kind]}`);
  return avroShape(branch);
}

/** Every optional field of every kind filled, so optional fields are exercised as well as absent ones. */
function withEveryOptional(event: ImpactEvent): ImpactEvent {
  const subject = { ...event.subject, name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 7700 900001' };
  switch (event.kind) {
    case 'volunteer_activity':
      return { ...event, subject, payload: { ...event.payload, description: 'Sorted tins' } };
    case 'donation':
      return { ...event, subject, payload: { ...event.payload, campaignId: 'c-1', projectId: 'p-1', note: 'Winter' } };
    case 'program_enrolment':
      return { ...event, subject, payload: { ...event.payload, cohort: '2026-spring' } };
    case 'program_outcome':
      return { ...event, subject, payload: { ...event.payload, notes: 'Completed early' } };
  }
}

describe('every contract', () => {
  test.each(CONTRACTS.map((contract) => [contract.name, contract] as const))('%s: Avro and zod have the same shape', (_, contract) => {
    for (const version of loadSchemaVersions(contract.name)) expect(version.type.typeName).toBe('record');
    expect(shapeDifferences(zodShape(contract.zod), avroShape(currentSchema(contract.name).type))).toEqual([]);
  });

  test('every topic impact-in creates has exactly one contract', () => {
    const topics = topicNames('t.');
    const covered = CONTRACTS.flatMap((contract) => contract.topics(topics));
    expect([...covered].sort()).toEqual([...allTopics(topics)].sort());
  });
});

describe.each(['impact-event', 'redacted-event'] as const)('%s payload of each kind', (contract) => {
  test.each(EVENT_KINDS.map((kind) => [kind]))('%s', (kind) => {
    expect(shapeDifferences(zodShape(PAYLOAD_SCHEMAS[kind]), payloadBranch(contract, kind))).toEqual([]);
  });
});

describe('round trips', () => {
  const eventType = currentSchema('impact-event').type;
  const samples = impactEvents(40, ['acme', 'globex']);

  test('every sample event, with its optional fields absent and filled', () => {
    expect(new Set(samples.map((event) => event.kind))).toEqual(new Set(EVENT_KINDS));
    for (const event of [...samples, ...samples.map(withEveryOptional)]) {
      expect(roundTrip(impactEventSchema, eventType, event)).toEqual(event);
    }
  });

  test('every redacted sample event, and a donation with a sealed contact', () => {
    const type = currentSchema('redacted-event').type;
    const redacted = samples.map(redact);
    const donation = redacted.find((event) => event.kind === 'donation')!;
    const withContact = { ...donation, contact: { sealed: Buffer.from('sealed bytes').toString('base64'), keyId: 'c1' } };
    for (const event of [...redacted, withContact]) expect(roundTrip(redactedEventSchema, type, event)).toEqual(event);
  });

  test('delivery results, nullable fields null and set', () => {
    const type = currentSchema('delivery-result').type;
    const base: DeliveryResult = {
      eventId: samples[0]!.eventId,
      platform: 'goodera',
      tenantId: 'acme',
      kind: 'donation',
      status: 'delivered',
      attempts: 2,
      externalRef: 'gd-123',
      errorClass: null,
      errorReason: null,
      idempotencyKey: 'a'.repeat(64),
      firstAttemptAt: '2026-11-28T12:00:00.000Z',
      completedAt: '2026-11-28T12:00:01.000Z',
    };
    for (const status of DELIVERY_STATUSES) {
      const result = status === 'delivered' ? base : { ...base, status, externalRef: null, errorClass: 'PLATFORM_REJECTED', errorReason: '422 bad' };
      expect(roundTrip(deliveryResultSchema, type, result)).toEqual(result);
    }
    // A later generation re-sent by a replay (v2's optional fields set).
    const resent: DeliveryResult = { ...base, generation: 2, replayId: '0b9c3a52-6f0e-4a43-9d55-2f8a1c7e4b10' };
    expect(roundTrip(deliveryResultSchema, type, resent)).toEqual(resent);
  });

  test('a dead letter as src/kafka/dead-letter.ts writes it', () => {
    const box = createSecretBox(new Map([['k1', testKey(3)]]), 'k1');
    const message = createDeadLetters(box, () => new Date('2026-11-28T12:00:00.000Z')).message(
      't.impact.events.dlq.v1',
      'redactor',
      { topic: 't.impact.events.v1', partition: 3, offset: '42', key: Buffer.from('acme:E1'), value: Buffer.from('{oops'), headers: { traceparent: '00-abc-def-01' } },
      new ImpactError('DECODE_FAILED', 'message value is not valid JSON'),
    );
    const envelope = deadLetterEnvelope({ value: Buffer.from(message.value as Buffer), headers: message.headers ?? {} });
    expect(envelope).toMatchObject({ code: 'DECODE_FAILED', sourcePartition: 3, sourceOffset: '42', keyId: 'k1', traceparent: '00-abc-def-01' });
    expect(roundTrip(deadLetterEnvelopeSchema, currentSchema('dead-letter').type, envelope)).toEqual(envelope);
  });
});

describe('drift is caught', () => {
  const current = JSON.parse(currentSchema('impact-event').text) as { fields: { name: string; type: unknown; default?: unknown }[] };
  const variant = (edit: (fields: typeof current.fields) => typeof current.fields) =>
    avroShape(avro.Type.forSchema({ ...current, fields: edit(structuredClone(current.fields)) } as avro.Schema));
  const differences = (edit: (fields: typeof current.fields) => typeof current.fields) => shapeDifferences(zodShape(impactEventSchema), variant(edit));

  test('a field missing from Avro', () => {
    expect(differences((fields) => fields.filter((field) => field.name !== 'source'))).toEqual(['(root).source: only in zod']);
  });

  test('a required field made optional in Avro', () => {
    expect(
      differences((fields) => fields.map((field) => (field.name === 'source' ? { ...field, type: ['null', 'string'], default: null } : field))),
    ).toEqual(['(root).source: zod required, Avro absent-or-null']);
  });

  test('a type changed in one payload record', () => {
    const changed = differences((fields) =>
      fields.map((field) => {
        if (field.name !== 'payload') return field;
        const records = field.type as { name: string; fields: { name: string; type: unknown }[] }[];
        const donation = records.find((record) => record.name === 'Donation')!;
        donation.fields = donation.fields.map((f) => (f.name === 'amountMinor' ? { ...f, type: 'double' } : f));
        return field;
      }),
    );
    expect(changed).toEqual(['(root).payload|1.amountMinor: zod integer, Avro number']);
  });

  test('a kind missing from the Avro enum', () => {
    const changed = differences((fields) =>
      fields.map((field) =>
        field.name === 'kind' ? { ...field, type: { type: 'enum', name: 'EventKind', symbols: ['volunteer_activity', 'donation', 'program_enrolment'] } } : field,
      ),
    );
    expect(changed).toEqual([
      '(root).kind: zod symbols [volunteer_activity, donation, program_enrolment, program_outcome], Avro [volunteer_activity, donation, program_enrolment]',
    ]);
  });

  test('an optional field without a null default is refused', () => {
    expect(() =>
      variant((fields) => fields.map((field) => (field.name === 'source' ? { name: 'source', type: ['null', 'string'] } : field))),
    ).toThrow('default null');
  });
});
