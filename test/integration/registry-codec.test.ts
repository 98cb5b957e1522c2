/**
 * What must hold: against the real schema registry, the registry codec round-trips every kind of
 * event in the Confluent wire format; registering the same schema again keeps its id; an unknown
 * schema id is a permanent DECODE_FAILED; a registry that refuses connections or does not answer
 * is a retryable DEPENDENCY_UNAVAILABLE, never a decode failure.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRegistryCodec } from '../../src/codec/avro/registry-codec.ts';
import { ImpactError } from '../../src/domain/errors.ts';
import { EVENT_KINDS, impactEventSchema } from '../../src/domain/event.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { currentSchema, valueSubject } from '../../src/schemas/catalogue.ts';
import { createConfluentRegistry } from '../../src/schemas/confluent/confluent-registry.ts';

const URL_ = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const SUBJECT = valueSubject(`t.regcodec${randomBytes(4).toString('hex')}.impact.events.v1`);
const SCHEMA = currentSchema('impact-event').text;
const registry = createConfluentRegistry({ url: URL_, timeoutMs: 5_000 });

async function failure(promise: Promise<unknown>): Promise<ImpactError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ImpactError);
  return error as ImpactError;
}

let silent: Server;
const sockets = new Set<Socket>();
beforeAll(async () => {
  await registry.setCompatibility(SUBJECT, 'BACKWARD');
  // A registry that accepts connections and never answers.
  silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  // The subject is this file's own: remove it (soft, then for good) so the registry stays clean.
  for (const query of ['', '?permanent=true']) await (await request(`${URL_}/subjects/${encodeURIComponent(SUBJECT)}${query}`, { method: 'DELETE' })).body.dump();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

test('every kind round-trips through the real registry; a re-registration keeps the id', async () => {
  const id = await registry.register(SUBJECT, SCHEMA);
  expect(await registry.register(SUBJECT, SCHEMA)).toBe(id);
  expect(await registry.latest(SUBJECT)).toMatchObject({ id });
  const codec = createRegistryCodec({ registry, subject: SUBJECT, schema: SCHEMA, zod: impactEventSchema });
  const events = sampleEvents(8, { tenants: ['acme'], seed: 3, now: new Date() });
  expect(new Set(events.map((e) => e.kind))).toEqual(new Set(EVENT_KINDS));
  for (const event of events) {
    const bytes = await codec.encode(impactEventSchema.parse(event));
    expect(bytes.readInt32BE(1)).toBe(id);
    // A fresh codec and client: the writer schema comes from the registry, not a local cache.
    const reader = createRegistryCodec({ registry: createConfluentRegistry({ url: URL_, timeoutMs: 5_000 }), subject: SUBJECT, schema: SCHEMA, zod: impactEventSchema });
    expect(await reader.decode(bytes)).toEqual(event);
  }
});

test('an unknown schema id is DECODE_FAILED, not retryable', async () => {
  const codec = createRegistryCodec({ registry, subject: SUBJECT, schema: SCHEMA, zod: impactEventSchema });
  const bytes = Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 2, 4]);
  expect(await failure(codec.decode(bytes))).toMatchObject({ code: 'DECODE_FAILED', retryable: false });
});

test('a registry that refuses connections is DEPENDENCY_UNAVAILABLE, retryable', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
  const down = createConfluentRegistry({ url: `http://127.0.0.1:${port}/apis/ccompat/v7`, timeoutMs: 2_000 });
  const codec = createRegistryCodec({ registry: down, subject: SUBJECT, schema: SCHEMA, zod: impactEventSchema });
  const decodeError = await failure(codec.decode(Buffer.from([0, 0, 0, 0, 1, 2, 4])));
  expect(decodeError).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
  expect(decodeError.message).toContain('ECONNREFUSED');
  expect(await failure(codec.encode(impactEventSchema.parse(sampleEvents(1, { tenants: ['acme'], now: new Date() })[0])))).toMatchObject({
    code: 'DEPENDENCY_UNAVAILABLE',
    retryable: true,
  });
  expect(await failure(down.latest(SUBJECT))).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
});

test('a registry that does not answer is DEPENDENCY_UNAVAILABLE after the timeout', async () => {
  const port = (silent.address() as { port: number }).port;
  const hung = createConfluentRegistry({ url: `http://127.0.0.1:${port}/apis/ccompat/v7`, timeoutMs: 300 });
  const codec = createRegistryCodec({ registry: hung, subject: SUBJECT, schema: SCHEMA, zod: impactEventSchema });
  const started = Date.now();
  const error = await failure(codec.decode(Buffer.from([0, 0, 0, 0, 1, 2, 4])));
  expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
  expect(error.message).toContain('timed out');
  expect(Date.now() - started).toBeLessThan(3_000);
});
