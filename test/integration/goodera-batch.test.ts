/**
 * What must hold: Goodera deliveries go out in batch requests of at most 100 records per tenant
 * (the records of the tenant waiting at once, src/connectors/batching-connector.ts),
 * each record with its own outcome — 100 events of which 3 Goodera refuses end as 97 delivered and
 * 3 rejected (with the platform's reason), one result each, none sent twice.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createGooderaConnector } from '../../src/connectors/goodera/goodera.connector.ts';
import { idempotencyKey } from '../../src/domain/idempotency-key.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { createDispatcher } from '../../src/http/dispatcher.ts';
import { DEFAULT_TENANT_POLICY } from '../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { redactedOf } from '../unit/redacted-fixtures.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('goodera-batch');
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('a batch with 3 records Goodera refuses delivers the other 97 and rejects the 3', async () => {
  // One event per employee, mostly: records of one employee go one request after another (per-key
  // order), so how many share a request depends on how many employees are waiting at once.
  const events: NewImpactEvent[] = sampleEvents(100, { tenants: ['acme'], seed: 5, now: new Date(), employeesPerTenant: 10_000 });
  const bad = new Set([7, 48, 93]);
  for (const index of bad) {
    const event = events[index]!;
    // A valid event whose outcome name is longer than a Goodera impact dimension's name may be.
    events[index] = {
      ...event,
      kind: 'program_outcome',
      payload: { programId: 'prg-mentoring', outcome: 'completed-mentoring-sessions-'.repeat(3), value: 4, unit: 'sessions' },
    } as NewImpactEvent;
  }
  // Published before the service starts, so the deliverer finds full partitions to batch.
  const ids = await pipeline.publisher.publishImpactEvents(events);
  service = spawnService('goodera-batch', pipeline.scenario.env, 'redactor,router,deliver:goodera,relay');
  await service.started;
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 100, 120_000);

  const results = pipeline.results();
  expect(results).toHaveLength(100);
  const badIds = new Set([...bad].map((index) => ids[index]!));
  const rejected = results.filter((result) => result.status === 'rejected');
  expect(new Set(rejected.map((result) => result.eventId))).toEqual(badIds);
  for (const result of rejected) {
    expect(result.errorClass).toBe('PLATFORM_REJECTED');
    expect(result.errorReason).toContain('validation_failed');
    expect(result.attempts).toBe(1);
  }
  expect(results.filter((result) => result.status === 'delivered')).toHaveLength(97);

  const stats = pipeline.goodera.stats();
  expect(stats.accepted).toBe(97);
  expect(stats.duplicates).toBe(0);
  // Batches, not one request per record: the records waiting while a request is out go together.
  expect(stats.requests['create']).toBeUndefined();
  const batches = Object.values(stats.requests['batch'] ?? {}).reduce((sum, n) => sum + n, 0);
  expect(batches).toBeGreaterThanOrEqual(1);
  expect(batches).toBeLessThanOrEqual(10);
  const rows = await pipeline.scenario.db.selectFrom('impact_deliveries').select(['status']).execute();
  expect(rows.filter((row) => row.status === 'delivered')).toHaveLength(97);
  expect(rows.filter((row) => row.status === 'rejected')).toHaveLength(3);
});

test('one request of 100 records with 3 bad ones: 97 delivered, 3 rejected, in request order', async () => {
  pipeline.goodera.reset();
  const dispatcher = createDispatcher({ connectTimeoutMs: 1_000, requestTimeoutMs: 5_000, allowPrivateHosts: true });
  try {
    const goodera = createGooderaConnector({ baseUrl: pipeline.goodera.url, dispatcher, allowPrivateHosts: true, gate: createPreSendGate() });
    const { event } = redactedOf('program_outcome');
    const requests = Array.from({ length: 100 }, (_, i) => {
      const outcome = [10, 55, 99].includes(i) ? 'x'.repeat(65) : 'sessions';
      const e = { ...event, eventId: randomUUID(), payload: { ...event.payload, outcome } } as RedactedEvent;
      return {
        event: e,
        idempotencyKey: idempotencyKey('goodera', 'acme', e.eventId, e.payload),
        credentials: { apiKey: 'key-acme-0123456789', organizationId: 'org-acme' },
        tenantPolicy: DEFAULT_TENANT_POLICY,
      };
    });
    const outcomes = await goodera.deliverBatch(requests);
    expect(outcomes.map((o, i) => (o instanceof Error ? 'error' : o.status === 'rejected' ? i : 'ok')).filter((o) => o !== 'ok')).toEqual([10, 55, 99]);
    expect(pipeline.goodera.stats().requests).toEqual({ batch: { '207': 1 } });
    expect(pipeline.goodera.stats().accepted).toBe(97);
  } finally {
    await dispatcher.close();
  }
});
