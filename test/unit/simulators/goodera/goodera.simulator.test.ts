import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGooderaSimulator } from '../../../../src/simulators/goodera/index.ts';
import type { GooderaSimulator } from '../../../../src/simulators/goodera/index.ts';
import { call, errorCode, gooderaRecord } from '../helpers.ts';
import type { CallOptions } from '../helpers.ts';

const KEY_A = 'key-tenant-a';
const KEY_B = 'key-tenant-b';
const FIXED_NOW = Date.parse('2025-04-01T12:00:00.000Z');

describe('Goodera simulator', () => {
  let agent: Agent;
  let sim: GooderaSimulator;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  beforeEach(async () => {
    sim = await startGooderaSimulator({
      apiKeys: { [KEY_A]: 'tenant-a', [KEY_B]: 'tenant-b' },
      rateLimitPerMinute: 0,
      now: () => FIXED_NOW,
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  const send = (path: string, options: CallOptions = {}) =>
    call(sim.url, path, { dispatcher: agent, apiKey: KEY_A, ...options });
  const create = (body: unknown, options: CallOptions = {}) => send('/v1/impact-records', { body, ...options });
  const details = (body: unknown) => (body as { error: { details: { path: string }[] } }).error.details;

  describe('auth', () => {
    it('answers 401 unauthorized without an x-api-key header, and stores nothing', async () => {
      const result = await call(sim.url, '/v1/impact-records', { dispatcher: agent, body: gooderaRecord() });
      expect(result.status).toBe(401);
      expect(result.body).toEqual({ error: { code: 'unauthorized', message: 'missing x-api-key header' } });
      expect(sim.stats().accepted).toBe(0);
    });

    it('answers 401 for an unknown key, on every route', async () => {
      const bad = { apiKey: 'nope' };
      expect((await create(gooderaRecord(), bad)).status).toBe(401);
      expect((await send('/v1/impact-records/batch', { body: { records: [gooderaRecord()] }, ...bad })).status).toBe(401);
      const lookup = await send('/v1/impact-records?externalId=evt-0001', bad);
      expect(lookup.status).toBe(401);
      expect(errorCode(lookup.body)).toBe('unauthorized');
      expect(sim.stats().accepted).toBe(0);
    });
  });

  describe('POST /v1/impact-records', () => {
    it('answers 201 with a gdr_ id and stores the record under its externalId', async () => {
      const result = await create(gooderaRecord());
      expect(result.status).toBe(201);
      expect(result.body).toEqual({
        id: expect.stringMatching(/^gdr_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        externalId: 'evt-0001',
        status: 'accepted',
        createdAt: '2025-04-01T12:00:00.000Z',
      });
      const [entry] = sim.records();
      expect(entry?.key).toBe('evt-0001');
      expect(entry?.value.tenant).toBe('tenant-a');
      expect(entry?.value.record).toEqual({ ...gooderaRecord(), id: (result.body as { id: string }).id, createdAt: '2025-04-01T12:00:00.000Z' });
      expect(sim.stats()).toMatchObject({ accepted: 1, distinctKeys: 1, duplicates: 0 });
    });

    it('accepts a minimal record (no participantId, no metadata) and a Z offset', async () => {
      const { participantId: _p, metadata: _m, ...minimal } = gooderaRecord({ occurredAt: '2025-03-14T08:30:00Z' });
      expect((await create(minimal)).status).toBe(201);
    });

    it.each([
      ['an unknown top-level key', { donorName: 'x' }, 'donorName'],
      ['a missing externalId', { externalId: undefined }, 'externalId'],
      ['an externalId over 128 chars', { externalId: 'e'.repeat(129) }, 'externalId'],
      ['an unknown recordType', { recordType: 'hours' }, 'recordType'],
      ['a projectId over 64 chars', { projectId: 'p'.repeat(65) }, 'projectId'],
      ['a reportingPeriod that is not YYYY-MM', { reportingPeriod: '2025-13' }, 'reportingPeriod'],
      ['an occurredAt without offset', { occurredAt: '2025-03-14T09:30:00' }, 'occurredAt'],
      ['no impact dimensions', { impactDimensions: [] }, 'impactDimensions'],
      ['21 impact dimensions', { impactDimensions: Array(21).fill({ name: 'h', value: 1, unit: 'h' }) }, 'impactDimensions'],
      ['a negative dimension value', { impactDimensions: [{ name: 'h', value: -1, unit: 'h' }] }, 'impactDimensions.0.value'],
      ['an unknown dimension key', { impactDimensions: [{ name: 'h', value: 1, unit: 'h', x: 1 }] }, 'impactDimensions.0.x'],
      ['a metadata value over 256 chars', { metadata: { k: 'v'.repeat(257) } }, 'metadata.k'],
      ['51 metadata pairs', { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
      ['a non-string metadata value', { metadata: { k: 1 } }, 'metadata.k'],
    ])('answers 422 validation_failed for %s', async (_name, overrides, path) => {
      const result = await create(gooderaRecord(overrides));
      expect(result.status).toBe(422);
      expect(errorCode(result.body)).toBe('validation_failed');
      expect(details(result.body).map((detail) => detail.path)).toContain(path);
      expect(sim.stats().accepted).toBe(0);
    });

    it.each([
      ['in metadata', { metadata: { contact: 'jane.doe@example.com' } }, 'metadata.contact'],
      ['in participantId', { participantId: 'jane@example.org' }, 'participantId'],
      ['in a dimension', { impactDimensions: [{ name: 'a@b.io', value: 1, unit: 'h' }] }, 'impactDimensions[0].name'],
      ['as a metadata key', { metadata: { 'jane@example.com': 'x' } }, 'metadata.<email-like key>'],
      ['in an unknown field', { email: 'j@x.co' }, 'email'],
    ])('answers 422 personal_data_rejected for an email %s, naming the path not the value', async (_n, overrides, path) => {
      const result = await create(gooderaRecord(overrides));
      expect(result.status).toBe(422);
      expect(errorCode(result.body)).toBe('personal_data_rejected');
      expect(details(result.body).map((detail) => detail.path)).toEqual([path]);
      expect(JSON.stringify(result.body)).not.toMatch(/example\.(com|org)|j@x\.co/);
      expect(sim.stats().accepted).toBe(0);
    });

    it('answers 400 invalid_json for a malformed body', async () => {
      const result = await create('{"externalId":');
      expect(result.status).toBe(400);
      expect(errorCode(result.body)).toBe('invalid_json');
    });

    it('stores a second write of the same externalId and counts it as a duplicate', async () => {
      expect((await create(gooderaRecord())).status).toBe(201);
      expect((await create(gooderaRecord({ externalId: 'evt-0002' }))).status).toBe(201);
      const again = await create(gooderaRecord());
      expect(again.status).toBe(201); // no server-side idempotency
      expect(sim.stats()).toMatchObject({ accepted: 3, distinctKeys: 2, duplicates: 1, duplicateKeys: ['evt-0001'] });
    });
  });

  describe('POST /v1/impact-records/batch', () => {
    it('validates and stores each record on its own: 3 bad of 100 leave 97 stored', async () => {
      const records = Array.from({ length: 100 }, (_, i) => gooderaRecord({ externalId: `evt-${i}` }));
      records[5] = gooderaRecord({ externalId: 'evt-5', reportingPeriod: '2025/03' });
      records[50] = gooderaRecord({ externalId: 'evt-50', metadata: { who: 'someone@example.com' } });
      records[99] = { nonsense: true };
      const result = await send('/v1/impact-records/batch', { body: { records } });
      expect(result.status).toBe(207);
      const results = (result.body as { results: Record<string, unknown>[] }).results;
      expect(results).toHaveLength(100);
      expect(results.filter((r) => r['status'] === 'accepted')).toHaveLength(97);
      expect(results[0]).toEqual({ index: 0, externalId: 'evt-0', status: 'accepted', id: expect.stringMatching(/^gdr_/) });
      expect(results[5]).toMatchObject({ index: 5, externalId: 'evt-5', status: 'rejected', error: { code: 'validation_failed' } });
      expect(results[50]).toMatchObject({ index: 50, status: 'rejected', error: { code: 'personal_data_rejected' } });
      expect(results[99]).toMatchObject({ index: 99, externalId: null, status: 'rejected' });
      expect(sim.stats()).toMatchObject({ accepted: 97, distinctKeys: 97, duplicates: 0 });
      const stored = sim.records().find((entry) => entry.key === 'evt-1');
      expect(stored?.value.record.id).toBe(results[1]?.['id']);
    });

    it('answers 413 batch_too_large for 101 records and stores none', async () => {
      const records = Array.from({ length: 101 }, (_, i) => gooderaRecord({ externalId: `evt-${i}` }));
      const result = await send('/v1/impact-records/batch', { body: { records } });
      expect(result.status).toBe(413);
      expect(errorCode(result.body)).toBe('batch_too_large');
      expect(sim.stats().accepted).toBe(0);
    });

    it('answers 422 for an empty batch or a bad envelope', async () => {
      expect((await send('/v1/impact-records/batch', { body: { records: [] } })).status).toBe(422);
      expect((await send('/v1/impact-records/batch', { body: [gooderaRecord()] })).status).toBe(422);
      expect((await send('/v1/impact-records/batch', { body: { records: [gooderaRecord()], x: 1 } })).status).toBe(422);
    });

    it('counts duplicates inside one batch', async () => {
      const result = await send('/v1/impact-records/batch', { body: { records: [gooderaRecord(), gooderaRecord()] } });
      expect(result.status).toBe(207);
      expect(sim.stats()).toMatchObject({ accepted: 2, distinctKeys: 1, duplicates: 1, duplicateKeys: ['evt-0001'] });
    });
  });

  describe('GET /v1/impact-records?externalId=', () => {
    it('returns every stored record for the externalId with id, createdAt and the submitted fields', async () => {
      const first = await create(gooderaRecord());
      await create(gooderaRecord());
      await create(gooderaRecord({ externalId: 'other' }));
      const result = await send('/v1/impact-records?externalId=evt-0001');
      expect(result.status).toBe(200);
      const data = (result.body as { data: Record<string, unknown>[] }).data;
      expect(data).toHaveLength(2);
      expect(data[0]).toEqual({
        ...gooderaRecord(),
        id: (first.body as { id: string }).id,
        createdAt: '2025-04-01T12:00:00.000Z',
      });
    });

    it('returns an empty list when nothing matches', async () => {
      const result = await send('/v1/impact-records?externalId=never-sent');
      expect(result).toMatchObject({ status: 200, body: { data: [] } });
    });

    it("does not show one tenant another tenant's records", async () => {
      await create(gooderaRecord());
      const result = await send('/v1/impact-records?externalId=evt-0001', { apiKey: KEY_B });
      expect(result).toMatchObject({ status: 200, body: { data: [] } });
    });

    it('answers 422 without an externalId', async () => {
      const result = await send('/v1/impact-records');
      expect(result.status).toBe(422);
      expect(errorCode(result.body)).toBe('validation_failed');
    });
  });

  it('exposes stats and records over the control API too', async () => {
    await create(gooderaRecord());
    const stats = await call(sim.url, '/__sim/stats', { dispatcher: agent });
    expect(stats.body).toEqual(sim.stats());
    expect(stats.body).toMatchObject({ accepted: 1, requests: { create: { '201': 1 } } });
    const records = await call(sim.url, '/__sim/records', { dispatcher: agent });
    expect((records.body as { records: { key: string }[] }).records.map((r) => r.key)).toEqual(['evt-0001']);
    expect((await call(sim.url, '/__sim/reset', { dispatcher: agent, method: 'POST' })).status).toBe(200);
    expect(sim.stats().accepted).toBe(0);
  });
});
