/**
 * What must hold: a forced replay of a delivered event (`impact-in replay run`, traced) delivers it
 * again inside the event's own trace — a second deliver span, child of the router span like the
 * first, with its attempt and its result's relay — and the replay's own trace links to the event's.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PLATFORM_KINDS } from '../../src/domain/routing.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import type { JaegerSpan } from './helpers/jaeger-process.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';
import { parentage, readTrace, startTraceScenario, tag, type TraceScenario } from './helpers/tracing.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
let tracing: TraceScenario;
let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  tracing = await startTraceScenario();
  pipeline = await createPipeline('replay-trace');
  service = spawnService('replay-trace', { ...pipeline.scenario.env, ...tracing.serviceEnv });
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
  await tracing?.close();
});

test('a forced replay is delivered inside the event’s trace, and the replay’s trace links to it', async () => {
  const from = new Date(Date.now() - 1_000);
  const [event] = sampleEvents(20, { tenants: ['acme'], seed: 8, now: new Date() }).filter((e) => PLATFORM_KINDS.goodera.includes(e.kind));
  const [eventId] = await pipeline.publisher.publishImpactEvents([event!]);
  const gooderaResults = () => pipeline.results().filter((r) => r.eventId === eventId && r.platform === 'goodera');
  await pipeline.tail.waitFor(pipeline.topics.results, () => gooderaResults().length >= 1, 90_000);
  const to = new Date(Date.now() + 1_000);

  // The operator's replay, traced as its own service (through bin/impact-in.js, as every entry point runs).
  await promisify(execFile)(
    process.execPath,
    [`${ROOT}bin/impact-in.js`, 'replay', 'run', '--platform', 'goodera', '--from', from.toISOString(), '--to', to.toISOString(), '--event-id', eventId!, '--force', '--reason', 'trace scenario', '--actor', 'sre:test'],
    { env: { PATH: process.env.PATH ?? '', ...pipeline.scenario.env, ...tracing.serviceEnv, OTEL_SERVICE_NAME: 'impact-in-replay' }, timeout: 60_000 },
  );
  await pipeline.tail.waitFor(pipeline.topics.results, () => gooderaResults().some((r) => r.generation === 1), 60_000);
  // (The tail keeps the latest result per delivery: generation 1 replaced generation 0's.)
  expect(gooderaResults()).toEqual([expect.objectContaining({ status: 'delivered', generation: 1 })]);

  const traceId = tracing.publishedTrace();
  const t = pipeline.topics;
  const stage = `deliver.goodera ${t.deliver.goodera}`;
  const count = (spans: JaegerSpan[], op: string) => spans.filter((s) => s.operationName === op).length;
  const spans = await readTrace(tracing.jaeger, traceId, (s) => count(s, stage) >= 2 && count(s, `relay ${t.results}`) >= 2);
  const { parentOf, roots } = parentage(spans);
  expect(roots.map((s) => s.operationName)).toEqual([`publish ${t.events}`]);
  const router = spans.find((s) => s.operationName === `router ${t.redacted}`)!;
  const deliveries = spans.filter((s) => s.operationName === stage);
  expect(deliveries).toHaveLength(2);
  for (const delivery of deliveries) {
    expect(parentOf(delivery)?.spanID).toBe(router.spanID);
    // Each handling holds its own successful attempt: the first delivery and the forced re-send.
    const attempts = spans.filter((s) => s.operationName === 'deliver.attempt goodera' && parentOf(s)?.spanID === delivery.spanID);
    expect(attempts.map((a) => tag(a, 'outcome'))).toEqual(['delivered']);
  }
  expect(count(spans, `relay ${t.results}`)).toBe(2);

  // The replay's own trace: its produce of the event's message links to the event's trace.
  const response = await fetch(`${tracing.jaeger.queryUrl}/api/traces?${new URLSearchParams({ service: 'impact-in-replay', limit: '50' })}`);
  const replayTraces = ((await response.json()) as { data: { traceID: string; spans: JaegerSpan[] }[] }).data;
  const linked = replayTraces.flatMap((trace) => trace.spans).filter((s) => s.references.some((r) => r.refType === 'FOLLOWS_FROM' && r.traceID === traceId));
  expect(linked.length).toBeGreaterThan(0);
  expect(linked.every((s) => s.traceID !== traceId)).toBe(true);
}, 180_000);
