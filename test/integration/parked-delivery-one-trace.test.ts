/**
 * What must hold: an event whose Workday delivery is parked (a long back-off) and later delivered
 * by the parking drainer — while Goodera retries after 503s and Benevity completes by its callback
 * — is still ONE trace in Jaeger: the attempt before parking, the drainer's delivery and its
 * attempt, the retries, the callback's completion and every result's relay, with the publish span
 * its only root.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { WORKDAY_ROUTES } from '../../src/simulators/workday/index.ts';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';
import { benevityCallbackOf, hasOperations, parentage, readTrace, startTraceScenario, tag, tagsOf, type TraceScenario } from './helpers/tracing.ts';

let tracing: TraceScenario;
let world: AllPlatforms;
let service: ServiceProcess;

beforeAll(async () => {
  tracing = await startTraceScenario();
  // A back-off longer than 1 s parks the delivery; Goodera's retries back off 50 ms, well within it.
  world = await createAllPlatforms('parked-trace', { DELIVERY_BACKOFF_BASE_MS: '50', DELIVERY_PARK_AFTER_MS: '1000' });
  service = spawnService('parked-trace', { ...world.pipeline.scenario.env, ...tracing.serviceEnv });
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await world?.close();
  await tracing?.close();
});

test('a parked delivery, retries and an async import of one event are one trace', async () => {
  const { pipeline, workday } = world;
  // Workday's activity write answers 503 with Retry-After: 5 s (five times the parking bound);
  // Goodera answers 503 twice.
  workday.injectFault({ route: WORKDAY_ROUTES.activity, kind: 'status', status: 503, retryAfterSeconds: 5, count: 1 });
  pipeline.goodera.injectFault({ route: '*', kind: 'status', status: 503, count: 2 });
  const [event] = sampleEvents(40, { tenants: ['acme'], seed: 5, now: new Date() }).filter((e) => e.kind === 'volunteer_activity');
  const [eventId] = await pipeline.publisher.publishImpactEvents([event!]);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 3, 120_000);
  expect(pipeline.results().map((r) => `${r.platform}:${r.status}`).sort()).toEqual(['benevity:delivered', 'goodera:delivered', 'workday:delivered']);
  // Workday's delivery did go through the lot: parked once, then delivered off its partition.
  const workdayRow = await pipeline.scenario.db
    .selectFrom('impact_deliveries')
    .select('attempt_history')
    .where('event_id', '=', eventId!)
    .where('platform', '=', 'workday')
    .executeTakeFirstOrThrow();
  expect((workdayRow.attempt_history as { result: string }[]).map((a) => a.result)).toEqual(['PLATFORM_UNAVAILABLE', 'delivered']);

  const traceId = tracing.publishedTrace();
  const t = pipeline.topics;
  const parkedStage = `deliver.workday.parked ${t.deliver.workday}`;
  const expected = [
    `publish ${t.events}`,
    `redactor ${t.events}`,
    `router ${t.redacted}`,
    `deliver.workday ${t.deliver.workday}`,
    parkedStage,
    `deliver.goodera ${t.deliver.goodera}`,
    `deliver.benevity ${t.deliver.benevity}`,
    'job.record_completed benevity',
  ];
  const relays = (spans: { operationName: string }[]) => spans.filter((s) => s.operationName === `relay ${t.results}`);
  const spans = await readTrace(tracing.jaeger, traceId, (s) => relays(s).length >= 3 && hasOperations(s, expected));
  const names = spans.map((s) => s.operationName);
  for (const op of expected) expect(names, op).toContain(op);
  expect(relays(spans)).toHaveLength(3);
  const { parentOf, roots } = parentage(spans);
  expect(roots.map((s) => s.operationName)).toEqual([`publish ${t.events}`]);

  // Workday: the attempt on its partition failed with the 503 (then the delivery was parked); the
  // drainer's delivery — from the message the lot kept, trace headers and all — is in the same
  // trace, the child of the router like the partition's, and holds the attempt that delivered.
  const router = spans.find((s) => s.operationName === `router ${t.redacted}`)!;
  const onPartition = spans.find((s) => s.operationName === `deliver.workday ${t.deliver.workday}`)!;
  const drained = spans.filter((s) => s.operationName === parkedStage);
  expect(parentOf(onPartition)?.spanID).toBe(router.spanID);
  for (const span of drained) expect(parentOf(span)?.spanID).toBe(router.spanID);
  const workdayAttempts = spans.filter((s) => s.operationName === 'deliver.attempt workday');
  const attemptsUnder = (stage: { spanID: string }) =>
    workdayAttempts.filter((a) => parentOf(a)?.spanID === stage.spanID).map((a) => `${String(tag(a, 'outcome'))}:${String(tag(a, 'error.code'))}`);
  expect(attemptsUnder(onPartition)).toEqual(['error:PLATFORM_UNAVAILABLE']);
  expect(drained.flatMap(attemptsUnder)).toEqual(['delivered:undefined']);
  for (const attempt of workdayAttempts) {
    expect(tagsOf(attempt)).toMatchObject({ tenant_id: 'acme', platform: 'workday', delivery_id: `${eventId}:workday` });
  }

  // Goodera's retries: both 503s and the success, all under its delivery span.
  const gooderaAttempts = spans.filter((s) => s.operationName === 'deliver.attempt goodera');
  for (const attempt of gooderaAttempts) expect(parentOf(attempt)?.operationName).toBe(`deliver.goodera ${t.deliver.goodera}`);
  const gooderaOutcomes = gooderaAttempts.map((s) => `${String(tag(s, 'outcome'))}:${String(tag(s, 'error.code'))}`);
  expect(gooderaOutcomes).toContain('delivered:undefined');
  expect(spans.filter((s) => s.operationName.endsWith(' goodera') && tag(s, 'error.code') === 'PLATFORM_UNAVAILABLE')).toHaveLength(2);

  // Benevity's import completes by its signed callback: its own trace, linked both ways.
  const { link, callback } = await benevityCallbackOf(tracing.jaeger, spans);
  expect(link.traceID).not.toBe(traceId);
  expect(callback?.operationName).toBe('benevity callback');
  expect(callback?.references.some((r) => r.refType === 'FOLLOWS_FROM' && r.traceID === traceId)).toBe(true);
}, 180_000);
