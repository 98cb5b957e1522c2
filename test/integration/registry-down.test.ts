/**
 * What must hold: a schema registry that is down — when the service starts, and again mid-stream
 * when records arrive under a schema id the service has not seen yet — only delays events: they
 * wait (none delivered, none dead-lettered, the service stays up), then flow when it is back, and
 * every event is delivered exactly once. The scenario runs its own registry (the stack's jar and
 * flags, H2 file storage so ids survive the restarts); the shared one is never touched.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ImpactEvent } from '../../src/domain/event.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { currentSchema } from '../../src/schemas/catalogue.ts';
import { avroFixtures } from './helpers/avro.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { createRegistryProcess, type RegistryProcess } from './helpers/registry-process.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let registry: RegistryProcess;
let pipeline: Pipeline;
let service: ServiceProcess | undefined;

/** Sum of the samples of a metric whose labels include `labels`. */
async function metric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  let sum = 0;
  for (const line of text.split('\n')) {
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample?.[1] !== name) continue;
    const have = Object.fromEntries([...(sample[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(sample[3]);
  }
  return sum;
}

async function until(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  registry = await createRegistryProcess('registry-down');
  await registry.start();
  pipeline = await createPipeline('registry-down', {
    SCHEMA_REGISTRY_URL: registry.url,
    SCHEMA_REGISTRY_TIMEOUT_MS: '2000',
    // One record per request, so that with latency at the simulator deliveries are still flowing
    // when the registry goes away the second time.
    GOODERA_BATCH_SIZE: '1',
  });
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
  await registry?.close();
});

test('registry down at start-up and mid-stream: events wait, then flow; none dead-lettered', async () => {
  const { topics, goodera, tail, publisher } = pipeline;
  const deadLetterTopics = [topics.eventsDlq, topics.redactedDlq, ...Object.values(topics.deliverDlq)];
  const deadLettered = () => deadLetterTopics.reduce((n, topic) => n + tail.messages(topic).length, 0);
  const delivered = () => new Set(pipeline.results().map((r) => r.eventId));
  const redactorAborts = (port: number) => metric(port, 'impactin_kafka_transactions_total', { stage: 'redactor', result: 'aborted' });
  const registryErrors = (port: number) =>
    metric(port, 'impactin_handler_errors_total', { stage: 'redactor', code: 'DEPENDENCY_UNAVAILABLE' });

  // While the registry is up: the publisher learns its schema id (it needs the registry no more),
  // and a newer compatible version (v1 plus an optional field) is registered for later.
  const fx = await avroFixtures(pipeline.scenario.env);
  const v1 = JSON.parse(currentSchema('impact-event').text) as { fields: unknown[] };
  const v2 = { ...v1, fields: [...v1.fields, { name: 'region', type: ['null', 'string'], default: null }] };
  const encodeV2 = await fx.newerVersion(v2);
  const [first, ...atStartUp] = sampleEvents(60, { tenants: TENANTS, seed: 41, now: new Date() });
  const ids = [await publisher.publishImpactEvent(first!)];

  // 1. Registry down, then the service starts: events wait.
  await registry.stop('SIGTERM');
  service = spawnService('registry-down', pipeline.scenario.env);
  const port = await service.started;
  ids.push(...(await publisher.publishImpactEvents(atStartUp)));
  const downSince = Date.now();
  // (A dead letter ends the wait early, so that a stage that dead-letters the outage fails below.)
  await until('the redactor to fail on the registry', 30_000, async () => deadLettered() > 0 || (await redactorAborts(port)) >= 3);
  await until('a few seconds of outage', 10_000, () => Date.now() - downSince >= 5_000);
  expect(deadLettered()).toBe(0);
  expect(goodera.stats().accepted).toBe(0);
  expect(pipeline.results()).toHaveLength(0);
  expect(await redactorAborts(port)).toBeGreaterThanOrEqual(3);
  expect(await registryErrors(port)).toBeGreaterThanOrEqual(3);
  expect(await metric(port, 'impactin_dead_letters_total')).toBe(0);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  expect(service.child.exitCode).toBeNull();

  // 2. Registry back (same database, same ids): they flow.
  await registry.start();
  await until('the start-up batch delivered', 60_000, () => delivered().size >= ids.length);
  expect(delivered()).toEqual(new Set(ids));
  expect(deadLettered()).toBe(0);

  // 3. Mid-stream: deliveries flowing (slow platform), the registry dies, and records arrive
  //    under the v2 schema id the service has not resolved yet.
  goodera.injectFault({ route: 'batch', kind: 'latency', ms: 400 });
  const flowing = await publisher.publishImpactEvents(sampleEvents(45, { tenants: TENANTS, seed: 42, now: new Date() }));
  ids.push(...flowing);
  await until('deliveries flowing', 60_000, () => goodera.stats().accepted >= 60 + 6);
  await registry.stop('SIGKILL');
  const acceptedAtKill = goodera.stats().accepted;
  const abortsAtKill = await redactorAborts(port);
  const newer = sampleEvents(30, { tenants: TENANTS, seed: 43, now: new Date() }).map((event) => ({ ...event, eventId: randomUUID() }) as ImpactEvent);
  const newerBytes = newer.map((event) => encodeV2({ ...event, region: 'emea' }));
  expect(newerBytes[0]!.readInt32BE(1)).not.toBe(fx.id);
  await publisher.publishRaw(newer.map((event, i) => ({ key: `${event.tenantId}:${event.subject.employeeId}`, value: newerBytes[i]! })));
  ids.push(...newer.map((event) => event.eventId));
  const killedAt = Date.now();
  await until('the redactor to fail on the registry again', 30_000, async () => deadLettered() > 0 || (await redactorAborts(port)) >= abortsAtKill + 3);
  await until('a few seconds of outage', 10_000, () => Date.now() - killedAt >= 5_000);
  expect(deadLettered()).toBe(0);
  expect(await redactorAborts(port)).toBeGreaterThanOrEqual(abortsAtKill + 3);
  // What needs the registry waits; what was decoded before it went away goes on to the platform.
  expect(newer.filter((event) => delivered().has(event.eventId))).toEqual([]);
  expect(goodera.stats().accepted).toBeGreaterThan(acceptedAtKill);
  expect(service.child.exitCode).toBeNull();

  await registry.start();
  await until('every event delivered', 90_000, () => delivered().size >= ids.length);
  await sleep(2_000); // a second delivery or a late dead letter, were there one, would show by now

  expect(new Set(ids).size).toBe(135);
  expect(delivered()).toEqual(new Set(ids));
  expect(pipeline.results()).toHaveLength(ids.length);
  expect(pipeline.results().every((r) => r.status === 'delivered')).toBe(true);
  expect(goodera.stats()).toMatchObject({ accepted: ids.length, distinctKeys: ids.length, duplicates: 0 });
  expect(deadLettered()).toBe(0);
  expect(await metric(port, 'impactin_dead_letters_total')).toBe(0);
  const rows = await pipeline.scenario.db.selectFrom('impact_deliveries').select('event_id').execute();
  expect(rows).toHaveLength(ids.length);
}, 300_000);
