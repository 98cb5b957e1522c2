/**
 * What must hold: input that is unusual but valid is delivered, once — a message without a key,
 * an event written with a newer schema version (an added optional field, read as the version we
 * know), and the same event published twice (one delivery, one result). None is dead-lettered.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { currentSchema } from '../../src/schemas/catalogue.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { avroFixtures } from './helpers/avro.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('unusual');
  service = spawnService('unusual', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('no key, a newer schema version, an event published twice: each delivered once', async () => {
  const fx = await avroFixtures(pipeline.scenario.env);
  const [keyless, newer, twice, ...others] = sampleEvents(13, { tenants: TENANTS, seed: 31, now: new Date() }).map((event, i) => ({
    ...event,
    eventId: `00000000-0000-4000-8000-0000000003${String(i).padStart(2, '0')}`,
  }));

  // v1 plus an optional field with a default: BACKWARD compatible, so the registry accepts it.
  const v1 = JSON.parse(currentSchema('impact-event').text) as { fields: unknown[] };
  const v2 = { ...v1, fields: [...v1.fields, { name: 'region', type: ['null', 'string'], default: null }] };
  const encodeV2 = await fx.newerVersion(v2);
  const newerBytes = encodeV2({ ...newer!, region: 'emea' });
  expect(newerBytes.readInt32BE(1)).not.toBe(fx.id);

  await pipeline.publisher.publishRaw([
    { key: null, value: fx.encodeUnchecked(keyless) },
    { key: `${newer!.tenantId}:${newer!.subject.employeeId}`, value: newerBytes },
  ]);
  await pipeline.publisher.publishImpactEvent(twice!);
  await pipeline.publisher.publishImpactEvents(others);
  await pipeline.publisher.publishImpactEvent(twice!);

  const expected = [keyless!, newer!, twice!, ...others].map((event) => event.eventId);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= expected.length, 60_000);
  await sleep(2_000); // a second delivery of `twice`, were there one, would show by now

  const results = pipeline.results();
  expect(results.map((r) => r.eventId).sort()).toEqual([...expected].sort());
  expect(results.every((r) => r.status === 'delivered')).toBe(true);
  expect(pipeline.tail.messages(pipeline.topics.results).filter((m) => m.key!.toString().startsWith(twice!.eventId))).toHaveLength(1);
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: expected.length, distinctKeys: expected.length, duplicates: 0 });
  expect(pipeline.tail.messages(pipeline.topics.eventsDlq)).toHaveLength(0);
  const rows = await pipeline.scenario.db.selectFrom('impact_deliveries').select('event_id').execute();
  expect(rows).toHaveLength(expected.length);
}, 120_000);
