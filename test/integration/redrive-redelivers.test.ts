/**
 * What must hold: a platform dead letter (a 422 answer to its request) redriven after its cause is fixed is
 * delivered once, as a new generation of the same delivery with its own idempotency key — and a
 * second redrive of it, now delivered, sends nothing. A dead letter whose earlier send did land at
 * the platform (unknown to us) is found there by the redrive's lookup and not sent again.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { runCli } from './helpers/cli.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('redrive');
  service = spawnService('redrive', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('a 422 dead letter redriven after the fix is delivered once; redriven again, nothing is sent', async () => {
  const [first, ...rest] = sampleEvents(6, { tenants: TENANTS, seed: 31, now: new Date() });
  // The platform refuses the first event's request (the tenant's data there is wrong).
  pipeline.goodera.injectFault({ route: '*', kind: 'status', status: 422, count: 1 });
  const [rejectedId] = await pipeline.publisher.publishImpactEvents([first!]);
  await pipeline.tail.waitFor(pipeline.topics.deliverDlq.goodera, (m) => m.length >= 1, 60_000);
  const ids = await pipeline.publisher.publishImpactEvents(rest);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 6, 90_000);
  expect(pipeline.results().find((r) => r.eventId === rejectedId)).toMatchObject({ status: 'dead_lettered', errorClass: 'PLATFORM_REJECTED' });
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: 5, duplicates: 0 });

  // The cause is fixed (the fault was used up). A dry run says what would happen, and sends nothing.
  const dlq = pipeline.topics.deliverDlq.goodera;
  const dry = await runCli(pipeline.scenario.env, ['dlq', 'redrive', '--topic', dlq, '--event-id', rejectedId!, '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('would redrive 1 as a new generation');
  const redriven = await runCli(pipeline.scenario.env, ['dlq', 'redrive', '--topic', dlq, '--tenant', first!.tenantId, '--reason', 'tenant project fixed', '--actor', 'sre:ada']);
  expect(redriven).toMatchObject({ code: 0 });
  expect(redriven.stdout).toContain('redrove 1 as a new generation');

  const delivered = () => pipeline.results().find((r) => r.eventId === rejectedId && r.status === 'delivered');
  await pipeline.tail.waitFor(pipeline.topics.results, () => delivered() !== undefined, 60_000);
  const result = delivered()!;
  expect(result.generation).toBe(1);
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: 6, duplicates: 0, distinctKeys: 6 });

  const row = await pipeline.scenario.db
    .selectFrom('impact_deliveries')
    .select(['status', 'generation', 'idempotency_key', 'external_ref'])
    .where('event_id', '=', rejectedId!)
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({ status: 'delivered', generation: 1, idempotency_key: result.idempotencyKey });
  const generations = await pipeline.scenario.db.selectFrom('delivery_generations').selectAll().where('event_id', '=', rejectedId!).execute();
  expect(generations).toHaveLength(1);
  expect(generations[0]).toMatchObject({ generation: 1, kind: 'redrive', reason: 'tenant project fixed', requested_by: 'sre:ada', previous_status: 'dead_lettered' });
  const audited = await pipeline.scenario.db.selectFrom('admin_audit').selectAll().where('action', '=', 'dlq.redrive').execute();
  expect(audited).toHaveLength(1);
  expect(audited[0]).toMatchObject({ actor: 'sre:ada' });

  // Redriven again: the delivery is delivered now, so nothing goes out.
  const again = await runCli(pipeline.scenario.env, ['dlq', 'redrive', '--topic', dlq, '--event-id', rejectedId!]);
  expect(again.stdout).toContain('redrove 0 as a new generation');
  expect(again.stdout).toContain('skipped 1 delivered meanwhile');
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: 6, duplicates: 0 });
  expect(new Set(pipeline.results().map((r) => r.eventId))).toEqual(new Set([rejectedId, ...ids]));
});

test('a dead letter whose earlier send landed at the platform is found there, not sent again', async () => {
  const [event] = sampleEvents(1, { tenants: TENANTS, seed: 32, now: new Date() });
  pipeline.goodera.injectFault({ route: '*', kind: 'status', status: 422, count: 1 });
  const [eventId] = await pipeline.publisher.publishImpactEvents([event!]);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().some((r) => r.eventId === eventId), 60_000);
  expect(pipeline.results().find((r) => r.eventId === eventId)).toMatchObject({ status: 'dead_lettered' });
  // As if its attempts had run out on answers that never came (the case where a record may have
  // landed unknown to us): a 422 proves nothing was stored, and redrive rightly skips the lookup then.
  await pipeline.scenario.db
    .updateTable('impact_deliveries')
    .set({ last_error_class: 'OUTCOME_UNKNOWN' })
    .where('event_id', '=', eventId!)
    .execute();
  const { idempotency_key: key } = await pipeline.scenario.db
    .selectFrom('impact_deliveries')
    .select('idempotency_key')
    .where('event_id', '=', eventId!)
    .executeTakeFirstOrThrow();
  // What a send whose answer never came back would have left: the record, under the delivery's key.
  const { id: _id, createdAt: _createdAt, ...template } = pipeline.goodera.records()[0]!.value.record;
  const landed = await fetch(`${pipeline.goodera.url}/v1/impact-records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': `key-${event!.tenantId}-0123456789` },
    body: JSON.stringify({ ...template, externalId: key }),
  });
  expect(landed.status).toBeLessThan(300);
  const before = pipeline.goodera.stats().accepted;

  const redriven = await runCli(pipeline.scenario.env, ['dlq', 'redrive', '--topic', pipeline.topics.deliverDlq.goodera, '--event-id', eventId!]);
  expect(redriven).toMatchObject({ code: 0 });
  expect(redriven.stdout).toContain('redrove 0 as a new generation');
  expect(redriven.stdout).toContain('1 found at the platform (not re-sent)');
  expect(await pipeline.scenario.db.selectFrom('delivery_generations').selectAll().where('event_id', '=', eventId!).execute()).toEqual([]);
  expect(pipeline.goodera.stats().accepted).toBe(before);
});
