/**
 * What must hold: one event published to all three platforms is ONE trace in Jaeger — publish,
 * redact, route, each platform's delivery with every attempt (retries after 503s, the reconciling
 * lookup after a lost response), Benevity's bulk-import completion (linked with its callback's own
 * trace) and each result's relay — each span the child of the stage before it, carrying tenant,
 * platform, delivery id and outcome; and no span attribute or log line of the run holds personal data.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { detectIn } from '../../src/redaction/detectors/index.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { startWorkdaySimulator, WORKDAY_ROUTES, type WorkdaySimulator } from '../../src/simulators/workday/index.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';
import { benevityCallbackOf, hasOperations, parentage, readTrace, startTraceScenario, tag, tagsOf, type TraceScenario } from './helpers/tracing.ts';

const BENEVITY = { clientId: 'client-acme', clientSecret: 'secret-acme-0123', callbackSecret: 'callback-secret-acme-0123456789' };
const WORKDAY = { tenant: 'acme_prod', clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', refreshToken: 'wd-refresh-0123456789' };
let tracing: TraceScenario;
let benevity: BenevitySimulator;
let workday: WorkdaySimulator;
let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  tracing = await startTraceScenario();
  benevity = await startBenevitySimulator({ clients: { [BENEVITY.clientId]: BENEVITY.clientSecret }, callbackSecret: BENEVITY.callbackSecret, importDelayMs: 50 });
  workday = await startWorkdaySimulator({
    tenants: { [WORKDAY.tenant]: { clientId: WORKDAY.clientId, clientSecret: WORKDAY.clientSecret, refreshToken: WORKDAY.refreshToken } },
  });
  pipeline = await createPipeline('one-trace', { BENEVITY_BASE_URL: benevity.url, WORKDAY_BASE_URL: workday.url, DELIVERY_BACKOFF_BASE_MS: '50' });
  await pipeline.scenario.tenants.upsertPlatform('acme', 'benevity', BENEVITY);
  await pipeline.scenario.tenants.upsertPlatform('acme', 'workday', WORKDAY);
  service = spawnService('one-trace', { ...pipeline.scenario.env, ...tracing.serviceEnv });
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
  await benevity?.close();
  await workday?.close();
  await tracing?.close();
});

test('an event to three platforms, with retries, a lost response and an async import, is one trace', async () => {
  // Goodera answers 503 twice (two retries); Workday applies the first record but loses the answer
  // (the next attempt looks it up first).
  pipeline.goodera.injectFault({ route: '*', kind: 'status', status: 503, count: 2 });
  workday.injectFault({ route: WORKDAY_ROUTES.activity, kind: 'applied_response_lost', count: 1 });
  const [event] = sampleEvents(40, { tenants: ['acme'], seed: 3, now: new Date() }).filter((e) => e.kind === 'volunteer_activity');
  const [eventId] = await pipeline.publisher.publishImpactEvents([event!]);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 3, 120_000);
  expect(pipeline.results().map((r) => `${r.platform}:${r.status}`).sort()).toEqual(['benevity:delivered', 'goodera:delivered', 'workday:delivered']);

  const traceId = tracing.publishedTrace();
  const t = pipeline.topics;
  const expected = [
    `publish ${t.events}`,
    `redactor ${t.events}`,
    `router ${t.redacted}`,
    ...(['benevity', 'goodera', 'workday'] as const).flatMap((p) => [`deliver.${p} ${t.deliver[p]}`, `deliver.attempt ${p}`]),
    'deliver.lookup workday',
    'job.record_completed benevity',
    `relay ${t.results}`,
  ];
  // Spans reach Jaeger in batches: wait until the last stage's three relay spans are there.
  const spans = await readTrace(
    tracing.jaeger,
    traceId,
    (s) => s.filter((x) => x.operationName === `relay ${t.results}`).length >= 3 && hasOperations(s, expected),
  );
  // Kept for the README's rendered trace (docs/images/render-trace.py).
  mkdirSync('.stack/reports', { recursive: true });
  writeFileSync('.stack/reports/one-trace.json', JSON.stringify({ traceId, spans }, null, 1));
  const names = spans.map((s) => s.operationName);
  for (const op of expected) expect(names, op).toContain(op);
  expect(names.filter((n) => n === `relay ${t.results}`)).toHaveLength(3);
  // Every attempt is in the trace: Goodera's 503s (on the send, then on the lookup that follows it)
  // and its success; Workday's lost answer and its lookup.
  const gooderaCalls = spans.filter((s) => s.operationName.endsWith(' goodera')).map((s) => `${s.operationName}:${String(tag(s, 'outcome'))}:${String(tag(s, 'error.code'))}`);
  expect(gooderaCalls).toEqual(expect.arrayContaining(['deliver.attempt goodera:error:PLATFORM_UNAVAILABLE', 'deliver.attempt goodera:delivered:undefined']));
  expect(gooderaCalls.filter((c) => c.includes(':PLATFORM_UNAVAILABLE'))).toHaveLength(2);
  const workdayAttempts = spans.filter((s) => s.operationName === 'deliver.attempt workday');
  expect(workdayAttempts.map((s) => tag(s, 'outcome'))).toContain('unknown');
  expect(spans.find((s) => s.operationName === 'deliver.lookup workday')!.tags).toContainEqual(expect.objectContaining({ key: 'outcome', value: 'found' }));
  // The official instrumentations' spans are in it too: the platforms' HTTP calls, PostgreSQL.
  expect(names.some((n) => /^(POST|GET)$/.test(n))).toBe(true);
  expect(spans.some((s) => tag(s, 'db.system') === 'postgresql' || tag(s, 'db.system.name') === 'postgresql')).toBe(true);

  // Parent → child along the stages; only the publish span is a root.
  const { parentOf, roots } = parentage(spans);
  expect(roots.map((s) => s.operationName)).toEqual([`publish ${t.events}`]);
  expect(parentOf(spans.find((s) => s.operationName === `redactor ${t.events}`)!)?.operationName).toBe(`publish ${t.events}`);
  expect(parentOf(spans.find((s) => s.operationName === `router ${t.redacted}`)!)?.operationName).toBe(`redactor ${t.events}`);
  for (const p of ['benevity', 'goodera', 'workday'] as const) {
    expect(parentOf(spans.find((s) => s.operationName === `deliver.${p} ${t.deliver[p]}`)!)?.operationName).toBe(`router ${t.redacted}`);
    for (const attempt of spans.filter((s) => s.operationName === `deliver.attempt ${p}`)) {
      expect(parentOf(attempt)?.operationName).toBe(`deliver.${p} ${t.deliver[p]}`);
      expect(tagsOf(attempt)).toMatchObject({ tenant_id: 'acme', platform: p, delivery_id: `${eventId}:${p}` });
    }
  }
  // Benevity's import completes by its signed callback: that request is its own trace, linked both ways.
  const { link, callback } = await benevityCallbackOf(tracing.jaeger, spans);
  expect(link.traceID).not.toBe(traceId);
  expect(callback?.operationName).toBe('benevity callback');
  expect(callback?.references.some((r) => r.refType === 'FOLLOWS_FROM' && r.traceID === traceId)).toBe(true);

  // No personal data in any span attribute of the trace, nor in any log line of the run: neither
  // what the detectors find (the loopback address of the local services is infrastructure, not a
  // person's) nor the event's own personal values (name, email, phone, raw employee id).
  const personal = [event!.subject.employeeId, ...Object.values(event!.subject).filter((v): v is string => typeof v === 'string' && v.length > 3)];
  const leaks = (text: string) => detectIn(text.replaceAll('127.0.0.1', 'localhost')).length > 0 || personal.some((value) => text.includes(value));
  const values = spans.flatMap((s) => s.tags.map((x) => `${x.key}=${String(x.value)}`));
  expect(values.filter(leaks)).toEqual([]);
  await service.stop();
  const lines = readFileSync(service.logFile, 'utf8').split('\n').filter(Boolean);
  expect(lines.filter(leaks)).toEqual([]);
  // Log lines written inside a span carry its trace.
  expect(lines.some((line) => line.includes(`"trace_id":"${traceId}"`))).toBe(true);
});
