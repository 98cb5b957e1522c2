import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecordStore } from '../../../../src/simulators/common/record-store.ts';
import { SimServer } from '../../../../src/simulators/common/sim-server.ts';
import type { ListeningSimServer } from '../../../../src/simulators/common/sim-server.ts';
import { call, errorCode, networkCode, rejection } from '../helpers.ts';

interface Thing {
  readonly id: string;
  readonly body: unknown;
}

function buildServer(): SimServer<Thing> {
  const store = new RecordStore<Thing>();
  return new SimServer<Thing>({
    store,
    routes: [
      {
        name: 'put',
        method: 'PUT',
        path: '/things/:id',
        handler: (request) => {
          store.add(request.params['id'] ?? '', { id: request.params['id'] ?? '', body: request.body });
          return { status: 201, body: { id: request.params['id'], bytes: request.rawBody.length } };
        },
      },
      {
        name: 'get',
        method: 'GET',
        path: '/things/:id',
        handler: (request) => ({ status: 200, body: { found: store.lookup(request.params['id'] ?? '') } }),
      },
      {
        name: 'form',
        method: 'POST',
        path: '/token',
        accepts: 'any',
        handler: (request) => ({ status: 200, body: { raw: request.rawBody.toString('utf8') } }),
      },
      {
        name: 'boom',
        method: 'POST',
        path: '/boom',
        handler: () => {
          throw new Error('handler bug');
        },
      },
    ],
    guard: (request) => (request.headers['x-deny'] === 'yes' ? { status: 401, body: { error: { code: 'no' } } } : undefined),
  });
}

describe('SimServer', () => {
  let agent: Agent;
  let server: SimServer<Thing>;
  let listening: ListeningSimServer;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  beforeEach(async () => {
    server = buildServer();
    listening = await server.listen();
  });
  afterEach(async () => {
    await listening.close();
  });

  const send = (path: string, options: Parameters<typeof call>[2] = {}) =>
    call(listening.url, path, { dispatcher: agent, ...options });

  it('listens on 127.0.0.1 on a free port', () => {
    expect(listening.port).toBeGreaterThan(0);
    expect(listening.url).toBe(`http://127.0.0.1:${listening.port}`);
  });

  it('routes by method and path pattern, parses JSON and keeps the raw body', async () => {
    const put = await send('/things/t-1', { method: 'PUT', body: { a: 1 } });
    expect(put).toMatchObject({ status: 201, body: { id: 't-1', bytes: 7 } });
    expect(put.headers['content-type']).toMatch(/^application\/json/);
    const get = await send('/things/t-1');
    expect(get).toMatchObject({ status: 200, body: { found: [{ id: 't-1', body: { a: 1 } }] } });
  });

  it('answers 404 for unknown paths and 405 with Allow for a wrong method', async () => {
    const notFound = await send('/nothing');
    expect(notFound.status).toBe(404);
    expect(errorCode(notFound.body)).toBe('not_found');
    const wrongMethod = await send('/things/t-1', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('PUT, GET');
  });

  it('answers 413 for a body over 1 MiB and accepts one of exactly 1 MiB', async () => {
    const json = (size: number) => `"${'x'.repeat(size - 2)}"`;
    const tooBig = await send('/things/big', { method: 'PUT', body: json(1024 * 1024 + 1) });
    expect(tooBig.status).toBe(413);
    expect(errorCode(tooBig.body)).toBe('payload_too_large');
    const fits = await send('/things/fits', { method: 'PUT', body: json(1024 * 1024) });
    expect(fits).toMatchObject({ status: 201, body: { bytes: 1024 * 1024 } });
    expect(server.store.stats().accepted).toBe(1);
  });

  it('answers 400 for malformed JSON, after the guard had its say', async () => {
    const bad = await send('/things/x', { method: 'PUT', body: '{"a":' });
    expect(bad.status).toBe(400);
    expect(errorCode(bad.body)).toBe('invalid_json');
    const denied = await send('/things/x', { method: 'PUT', body: '{"a":', headers: { 'x-deny': 'yes' } });
    expect(denied.status).toBe(401);
    expect(server.store.stats().accepted).toBe(0);
  });

  it("answers 415 for a non-JSON body on a JSON route, and hands it raw to an 'any' route", async () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const refused = await send('/things/x', { method: 'PUT', body: 'a=1', headers });
    expect(refused.status).toBe(415);
    expect(errorCode(refused.body)).toBe('unsupported_media_type');
    const form = await send('/token', { body: 'grant_type=client_credentials', headers });
    expect(form).toMatchObject({ status: 200, body: { raw: 'grant_type=client_credentials' } });
  });

  it('answers 500 when a handler throws', async () => {
    const result = await send('/boom', { body: {} });
    expect(result.status).toBe(500);
    expect(errorCode(result.body)).toBe('internal_error');
  });

  it('counts requests per route and outcome, without the control API', async () => {
    await send('/things/a', { method: 'PUT', body: {} });
    await send('/things/a', { method: 'PUT', body: {} });
    await send('/things/a');
    await send('/nothing');
    server.faults.add({ route: 'get', kind: 'status', status: 503, count: 1 });
    await send('/things/a');
    await send('/__sim/stats');
    const stats = await send('/__sim/stats');
    expect(stats.body).toMatchObject({
      accepted: 2,
      distinctKeys: 1,
      duplicates: 1,
      duplicateKeys: ['a'],
      requests: { put: { '201': 2 }, get: { '200': 1, '503': 1 }, unmatched: { '404': 1 } },
      faults: [],
    });
    expect(stats.body).toEqual(server.stats());
  });

  describe('control API', () => {
    it('GET /__sim/records lists what was stored', async () => {
      await send('/things/a', { method: 'PUT', body: { v: 1 } });
      const records = await send('/__sim/records');
      expect(records).toMatchObject({ status: 200, body: { records: [{ key: 'a', value: { id: 'a', body: { v: 1 } } }] } });
    });

    it('POST /__sim/faults adds one spec or many; the faults apply; DELETE clears them', async () => {
      const one = await send('/__sim/faults', { body: { route: 'get', kind: 'status', status: 502 } });
      expect(one.status).toBe(201);
      const many = await send('/__sim/faults', {
        body: [
          { route: 'put', kind: 'status', status: 429, retryAfterSeconds: 4, count: 1 },
          { route: '*', kind: 'latency', ms: 1 },
        ],
      });
      expect(many.status).toBe(201);
      expect((many.body as { faults: unknown[] }).faults).toHaveLength(3);

      const limited = await send('/things/a', { method: 'PUT', body: {} });
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('4');
      expect((await send('/things/a')).status).toBe(502);

      const cleared = await send('/__sim/faults', { method: 'DELETE' });
      expect(cleared).toEqual(expect.objectContaining({ status: 200, body: { cleared: 2 } }));
      expect((await send('/things/a')).status).toBe(200);
    });

    it('POST /__sim/faults answers 400 with the validation error for a bad spec', async () => {
      const bad = await send('/__sim/faults', { body: { route: 'get', kind: 'latency' } });
      expect(bad.status).toBe(400);
      expect(errorCode(bad.body)).toBe('invalid_fault');
      const error = (bad.body as { error: { message: string; details: { path: string[] }[] } }).error;
      expect(error.message).toContain('ms');
      expect(error.details[0]?.path).toEqual(['ms']);
      expect((await send('/__sim/faults', { body: 'not json' })).status).toBe(400);
      expect(server.faults.list()).toEqual([]);
    });

    it('accepts control JSON whatever the content type says (curl -d)', async () => {
      const result = await send('/__sim/faults', {
        body: JSON.stringify({ route: 'get', kind: 'reset' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(result.status).toBe(201);
    });

    it('POST /__sim/reset clears records, counts and faults', async () => {
      await send('/things/a', { method: 'PUT', body: {} });
      server.faults.add({ route: 'get', kind: 'timeout' });
      expect((await send('/__sim/reset', { method: 'POST' })).status).toBe(200);
      expect(server.stats()).toEqual({
        accepted: 0,
        distinctKeys: 0,
        duplicates: 0,
        duplicateKeys: [],
        requests: {},
        faults: [],
      });
    });

    it('answers 404 for an unknown control action', async () => {
      const result = await send('/__sim/explode', { method: 'POST' });
      expect(result.status).toBe(404);
    });
  });

  it('close() destroys a socket held by a timeout fault, promptly', async () => {
    server.faults.add({ route: 'get', kind: 'timeout' });
    const pending = rejection(send('/things/a', { headersTimeout: 60_000 }));
    await expect.poll(() => server.stats().requests['get']?.['timeout']).toBe(1);
    const started = Date.now();
    await listening.close();
    const error = await pending;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(networkCode(error)).toBe('UND_ERR_SOCKET');
  });
});
