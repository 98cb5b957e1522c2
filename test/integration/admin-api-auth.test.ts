/**
 * What must hold: the admin API answers only with a valid bearer token — none or an unknown one is
 * 401, a `read` token on a mutating call is 403 (and changes nothing) — serves a delivery with its
 * attempt history and earlier generations, validates input with a 400 naming the field, audits
 * every mutating call in PostgreSQL, serves its OpenAPI document, docs and page from local files,
 * and never writes a token to its log (debug level included).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { hashToken } from '../../src/admin/auth.ts';
import { adminOpenApi } from '../../src/admin/admin.ts';
import { DeliveryRepository } from '../../src/deliveries/delivery-repository.ts';
import { grantGenerations } from '../../src/deliveries/generations.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnAdmin, type AdminProcess } from './helpers/admin-process.ts';

const READ = 'viewer-token-7f3c1d0a9b8e6f52';
const OPERATE = 'sre-token-41c9e0b7a2d35f86';
const EVENT = '5e0b4c9a-3f1d-4a2b-9c8e-7d6f5a4b3c21';
let pipeline: Pipeline;
let admin: AdminProcess;
let base: string;

beforeAll(async () => {
  pipeline = await createPipeline('adminapi');
  admin = spawnAdmin('adminapi', {
    ...pipeline.scenario.env,
    LOG_LEVEL: 'debug',
    ADMIN_TOKENS: `viewer:read:${hashToken(READ)},sre:operate:${hashToken(OPERATE)}`,
  });
  base = await admin.started;
});

afterAll(async () => {
  await admin?.stop();
  await pipeline?.close();
});

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: type.includes('json') ? ((await response.json()) as Record<string, unknown>) : await response.text() };
}

test('401 without a valid token, 403 for read on a mutating call, audited; lookups, 400s, spec and page served; tokens never logged', async () => {
  // A delivery that was dead-lettered, redriven (generation 1) and delivered.
  const repository = new DeliveryRepository(pipeline.scenario.db);
  const result = {
    eventId: EVENT,
    platform: 'goodera' as const,
    tenantId: 'acme',
    kind: 'donation' as const,
    attempts: 1,
    idempotencyKey: 'k'.repeat(64),
    firstAttemptAt: '2026-12-01T10:00:00.000Z',
    completedAt: '2026-12-01T10:00:01.000Z',
  };
  await repository.recordFinals(
    [{ ...result, status: 'dead_lettered', externalRef: null, errorClass: 'PLATFORM_REJECTED', errorReason: '422 project unknown' }],
    () => [],
    () => [{ at: '2026-12-01T10:00:00.000Z', result: 'PLATFORM_REJECTED', ms: 40 }],
  );
  await grantGenerations(pipeline.scenario.db, { platform: 'goodera', eventIds: [EVENT], kind: 'redrive', reason: 'project fixed', requestedBy: 'sre' });
  await repository.recordFinals(
    [{ ...result, status: 'delivered', externalRef: 'gd-1', errorClass: null, errorReason: null, idempotencyKey: 'g'.repeat(64), generation: 1 }],
    () => [],
    () => [{ at: '2026-12-02T10:00:00.000Z', result: 'delivered', ms: 30 }],
  );

  expect(await call('GET', '/api/v1/platforms')).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED', field: null } });
  expect(await call('GET', '/api/v1/platforms', 'not-a-valid-token-123')).toMatchObject({ status: 401 });
  const platforms = await call('GET', '/api/v1/platforms', READ);
  expect(platforms.status).toBe(200);
  expect((platforms.body as { platforms: { platform: string; breaker: string }[] }).platforms.map((p) => p.platform)).toContain('goodera');

  const detail = await call('GET', `/api/v1/deliveries/goodera/${EVENT}`, READ);
  expect(detail).toMatchObject({
    status: 200,
    body: {
      status: 'delivered',
      generation: 1,
      externalRef: 'gd-1',
      attemptHistory: [{ result: 'delivered', ms: 30 }],
      previousGenerations: [{ generation: 1, kind: 'redrive', reason: 'project fixed', status: 'dead_lettered', errorClass: 'PLATFORM_REJECTED', attemptHistory: [{ result: 'PLATFORM_REJECTED' }] }],
    },
  });
  const page = await call('GET', `/api/v1/deliveries?tenant=acme&limit=1`, READ);
  expect(page).toMatchObject({ status: 200, body: { items: [{ eventId: EVENT }], nextCursor: null } });
  expect(await call('GET', `/api/v1/deliveries/goodera/${EVENT.replace('5e', '6e')}`, READ)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  expect(await call('GET', '/api/v1/deliveries?limit=9999', READ)).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST', field: 'query.limit' } });
  expect(await call('GET', '/api/v1/deliveries/goodera/not-a-uuid', READ)).toMatchObject({ status: 400, body: { field: 'path.eventId' } });

  // A read token may not redrive: 403, audited as refused.
  const redrive = { topic: 'goodera', dryRun: true };
  expect(await call('POST', '/api/v1/dead-letters/redrive', READ, redrive)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
  expect(await call('POST', '/api/v1/dead-letters/redrive', OPERATE, { ...redrive, topic: 'nowhere' })).toMatchObject({ status: 400, body: { field: 'body.topic' } });
  expect(await call('POST', '/api/v1/dead-letters/redrive', OPERATE, redrive)).toMatchObject({ status: 200, body: { dryRun: true } });
  const audited = await pipeline.scenario.db.selectFrom('admin_audit').selectAll().orderBy('id').execute();
  expect(audited.map((a) => [a.actor, a.action, (a.outcome as { status: number }).status])).toEqual([
    ['viewer', 'redriveDeadLetters', 403],
    ['sre', 'redriveDeadLetters', 400],
    ['sre', 'redriveDeadLetters', 200],
  ]);

  const tenants = await call('GET', '/api/v1/tenants', READ);
  expect(tenants.status).toBe(200);
  expect(JSON.stringify(tenants.body)).not.toContain('key-acme-0123456789');
  expect(JSON.stringify(tenants.body)).toContain('"apiKey":"********"');

  // The spec, the docs and the page, from local files.
  expect((await call('GET', '/openapi.json')).body).toEqual(JSON.parse(JSON.stringify(adminOpenApi())));
  const docs = await call('GET', '/docs');
  expect(docs.body).toContain('/docs/swagger-ui-bundle.js');
  expect(docs.body).not.toMatch(/https?:\/\//);
  expect((await fetch(`${base}/docs/swagger-ui-bundle.js`)).status).toBe(200);
  const html = (await call('GET', '/')).body as string;
  expect(html).toContain('impact-in operator');
  expect(html).not.toMatch(/src="https?:|href="https?:/);

  await admin.stop();
  const log = readFileSync(admin.logFile, 'utf8');
  expect(log).toContain('admin request');
  expect(log).not.toContain(READ);
  expect(log).not.toContain(OPERATE);
  expect(log).not.toContain(hashToken(READ));
});
