/**
 * What must hold: the registry codec reads and writes the Confluent wire format; bad bytes, an
 * unknown schema id and a writer schema we cannot read are permanent DECODE_FAILED; a broken
 * contract is VALIDATION_FAILED; a registry that cannot be reached is retryable
 * DEPENDENCY_UNAVAILABLE and is asked again next time; schema ids are looked up once.
 */
import avro from 'avsc';
import { describe, expect, test } from 'vitest';
import { createRegistryCodec } from '../../../src/codec/avro/registry-codec.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { impactEventSchema, type ImpactEvent } from '../../../src/domain/event.ts';
import { currentSchema } from '../../../src/schemas/catalogue.ts';
import type { SchemaRegistry } from '../../../src/schemas/registry.ts';
import { impactEventOf, impactEvents } from '../fixtures.ts';

const SUBJECT = 'impact.events.v1-value';
const OURS = currentSchema('impact-event').text;

/** An in-memory registry: ids by schema text, a switch to make it unreachable, call counts. */
function fakeRegistry() {
  const byId = new Map<number, string>();
  const subjects = new Map<string, Map<string, number>>();
  const state = { down: false, lookups: 0 };
  const registry: SchemaRegistry = {
    async schemaById(id) {
      state.lookups++;
      if (state.down) throw new ImpactError('DEPENDENCY_UNAVAILABLE', 'schema registry: connect ECONNREFUSED');
      const schema = byId.get(id);
      if (schema === undefined) throw new ImpactError('DECODE_FAILED', `unknown schema id ${id}`);
      return schema;
    },
    async idOf(subject, schema) {
      if (state.down) throw new ImpactError('DEPENDENCY_UNAVAILABLE', 'schema registry: connect ECONNREFUSED');
      const id = subjects.get(subject)?.get(schema);
      if (id === undefined) throw new ImpactError('CONFIG_INVALID', `not registered under ${subject}`);
      return id;
    },
  };
  const register = (subject: string, schema: string) => {
    const id = 100 + byId.size;
    byId.set(id, schema);
    subjects.set(subject, (subjects.get(subject) ?? new Map()).set(schema, id));
    return id;
  };
  return { registry, register, state };
}

/** Our schema with one edit to the fields of a record (the envelope, or a payload record by name). */
function variant(edit: (fields: { name: string; type: unknown; default?: unknown }[], record: string) => void): string {
  const schema = JSON.parse(OURS);
  const visit = (record: { name: string; fields: { name: string; type: unknown }[] }) => {
    edit(record.fields, record.name);
    for (const field of record.fields) {
      const types = Array.isArray(field.type) ? field.type : [field.type];
      for (const type of types) if (type && typeof type === 'object' && (type as { type: string }).type === 'record') visit(type as typeof record);
    }
  };
  visit(schema);
  return JSON.stringify(schema);
}

async function failure(promise: Promise<unknown>): Promise<ImpactError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImpactError);
  return error as ImpactError;
}

function setUp() {
  const fake = fakeRegistry();
  const id = fake.register(SUBJECT, OURS);
  const codec = createRegistryCodec({ registry: fake.registry, subject: SUBJECT, schema: OURS, zod: impactEventSchema });
  return { ...fake, id, codec };
}

describe('round trip', () => {
  test('every sample event encodes to the wire format with our id and decodes unchanged', async () => {
    const { codec, id } = setUp();
    for (const event of impactEvents(12, ['acme', 'globex'])) {
      const bytes = await codec.encode(event);
      expect(bytes[0]).toBe(0);
      expect(bytes.readInt32BE(1)).toBe(id);
      expect(await codec.decode(bytes)).toEqual(event);
    }
  });

  test('the schema is looked up once for many messages', async () => {
    const { codec, state } = setUp();
    const events = impactEvents(50);
    const encoded = await Promise.all(events.map((event) => codec.encode(event)));
    await Promise.all(encoded.map((bytes) => codec.decode(bytes)));
    expect(state.lookups).toBe(1);
  });

  test('a newer writer version with an added optional field is read as the version we know', async () => {
    const { codec, register } = setUp();
    const newer = variant((fields, record) => {
      if (record === 'ImpactEvent') fields.push({ name: 'channel', type: ['null', 'string'], default: null });
    });
    const writer = createRegistryCodec({ registry: setUpRegistryWith(register, newer), subject: SUBJECT, schema: newer, zod: impactEventSchema });
    const event = impactEventOf('donation');
    const bytes = await writer.encode(event);
    expect(await codec.decode(bytes)).toEqual(event);
  });
});

/** A registry view for a writer that holds `schema` (registered in the same fake). */
function setUpRegistryWith(register: (subject: string, schema: string) => number, schema: string): SchemaRegistry {
  const id = register(SUBJECT, schema);
  return { schemaById: async () => schema, idOf: async () => id };
}

describe('permanent failures', () => {
  test.each([
    ['an empty value', Buffer.alloc(0), 'empty'],
    ['JSON, not the wire format', Buffer.from(JSON.stringify(impactEventOf('donation'))), 'magic byte 0x7b'],
    ['a wrong magic byte', Buffer.from([1, 0, 0, 0, 100, 2, 3]), 'magic byte 0x01'],
    ['a header only, cut short', Buffer.from([0, 0, 0]), 'wire header'],
  ])('%s is DECODE_FAILED', async (_, bytes, reason) => {
    const { codec } = setUp();
    const error = await failure(codec.decode(bytes));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(reason);
  });

  test('truncated Avro and bytes that are not Avro are DECODE_FAILED', async () => {
    const { codec, id } = setUp();
    const bytes = await codec.encode(impactEventOf('volunteer_activity'));
    const header = bytes.subarray(0, 5);
    for (const broken of [bytes.subarray(0, bytes.length - 6), Buffer.concat([header, Buffer.from('not avro at all, just text')]), Buffer.concat([bytes, Buffer.from([7])])]) {
      const error = await failure(codec.decode(broken));
      expect(error.code).toBe('DECODE_FAILED');
      expect(error.message).toContain(`schema id ${id}`);
    }
  });

  test('an unknown schema id is DECODE_FAILED, not retryable', async () => {
    const { codec } = setUp();
    const bytes = await codec.encode(impactEventOf('donation'));
    bytes.writeInt32BE(9999, 1);
    const error = await failure(codec.decode(bytes));
    expect(error).toMatchObject({ code: 'DECODE_FAILED', retryable: false, message: 'unknown schema id 9999' });
  });

  test('a writer schema missing a required field is DECODE_FAILED', async () => {
    const { codec, register } = setUp();
    const missing = variant((fields, record) => {
      if (record === 'ImpactEvent') fields.splice(fields.findIndex((f) => f.name === 'source'), 1);
    });
    const id = register(SUBJECT, missing);
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), avro.Type.forSchema(JSON.parse(missing)).toBuffer(toDatum(impactEventOf('program_outcome')))]);
    bytes.writeInt32BE(id, 1);
    const error = await failure(codec.decode(bytes));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toContain('source');
  });

  test('a writer schema with a wrong type is DECODE_FAILED', async () => {
    const { codec, register } = setUp();
    const wrong = variant((fields, record) => {
      if (record === 'VolunteerActivity') fields.find((f) => f.name === 'hours')!.type = 'string';
    });
    const id = register(SUBJECT, wrong);
    const event = impactEventOf('volunteer_activity');
    const datum = toDatum({ ...event, payload: { ...event.payload, hours: 'eight' as unknown as number } });
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), avro.Type.forSchema(JSON.parse(wrong)).toBuffer(datum)]);
    bytes.writeInt32BE(id, 1);
    expect((await failure(codec.decode(bytes))).code).toBe('DECODE_FAILED');
  });

  test('valid Avro that breaks the contract is VALIDATION_FAILED, naming fields not values', async () => {
    const { codec, id } = setUp();
    const event = impactEventOf('volunteer_activity');
    const tooLong = toDatum({ ...event, payload: { ...event.payload, hours: 30 } });
    const wrongKind = toDatum({ ...event, kind: 'donation' } as unknown as ImpactEvent);
    for (const [datum, field] of [[tooLong, 'payload.hours'], [wrongKind, 'payload']] as const) {
      const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), avro.Type.forSchema(JSON.parse(OURS)).toBuffer(datum)]);
      bytes.writeInt32BE(id, 1);
      const error = await failure(codec.decode(bytes));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(field);
      expect(error.message).not.toContain(event.subject.employeeId);
    }
  });

  test('encoding an invalid event is VALIDATION_FAILED; encoding before the schema is registered is CONFIG_INVALID', async () => {
    const { codec } = setUp();
    const event = impactEventOf('donation');
    expect((await failure(codec.encode({ ...event, payload: { ...event.payload, amountMinor: 0 } }))).code).toBe('VALIDATION_FAILED');
    const unregistered = createRegistryCodec({ registry: fakeRegistry().registry, subject: SUBJECT, schema: OURS, zod: impactEventSchema });
    expect((await failure(unregistered.encode(event))).code).toBe('CONFIG_INVALID');
  });
});

describe('registry unreachable', () => {
  test('decode is DEPENDENCY_UNAVAILABLE and retryable, and works once the registry is back', async () => {
    const { registry, register, state } = fakeRegistry();
    const id = register(SUBJECT, OURS);
    const writer = createRegistryCodec({ registry, subject: SUBJECT, schema: OURS, zod: impactEventSchema });
    const bytes = await writer.encode(impactEventOf('program_enrolment'));
    const reader = createRegistryCodec({ registry, subject: SUBJECT, schema: OURS, zod: impactEventSchema });
    state.down = true;
    const error = await failure(reader.decode(bytes));
    expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
    state.down = false;
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(await reader.decode(bytes)).toEqual(impactEventOf('program_enrolment'));
  });

  test('encode is DEPENDENCY_UNAVAILABLE and retryable, and works once the registry is back', async () => {
    const { registry, register, state } = fakeRegistry();
    register(SUBJECT, OURS);
    const codec = createRegistryCodec({ registry, subject: SUBJECT, schema: OURS, zod: impactEventSchema });
    state.down = true;
    expect(await failure(codec.encode(impactEventOf('donation')))).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
    state.down = false;
    expect((await codec.encode(impactEventOf('donation')))[0]).toBe(0);
  });
});

/** The Avro datum of an event under our schema (the payload union wrapped by its record name). */
function toDatum(event: ImpactEvent): Record<string, unknown> {
  const names = { volunteer_activity: 'VolunteerActivity', donation: 'Donation', program_enrolment: 'ProgramEnrolment', program_outcome: 'ProgramOutcome' };
  const nulls = (value: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, value[k] ?? null]));
  const optional = { volunteer_activity: ['description'], donation: ['campaignId', 'projectId', 'note'], program_enrolment: ['cohort'], program_outcome: ['notes'] };
  const payloadKind = (event.kind === 'donation' && 'activityName' in event.payload ? 'volunteer_activity' : event.kind) as keyof typeof names;
  return {
    ...event,
    subject: { employeeId: event.subject.employeeId, ...nulls(event.subject, ['name', 'email', 'phone']) },
    payload: { [`impactin.events.${names[payloadKind]}`]: { ...event.payload, ...nulls(event.payload as Record<string, unknown>, optional[payloadKind]) } },
  };
}
