/**
 * What must hold: an SRE rewinds one platform's consumer group to the start (as
 * `kafka-consumer-groups --reset-offsets --to-earliest` does) and the deliverer re-reads every
 * event — and sends nothing: each is already final in PostgreSQL. Duplicates 0, no new results.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { groupNames } from '../../src/kafka/topics.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const EVENTS = 60;
let pipeline: Pipeline;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  pipeline = await createPipeline('replay');
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await pipeline?.close();
});

async function metric(port: number, pattern: RegExp): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  return Number(pattern.exec(text)?.[1] ?? 0);
}

test('offsets of the Goodera group rewound to the start: nothing sent again', async () => {
  const first = spawnService('replay', pipeline.scenario.env);
  services.push(first);
  await first.started;
  const ids = await pipeline.publisher.publishImpactEvents(sampleEvents(EVENTS, { tenants: TENANTS, seed: 21, now: new Date() }));
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= EVENTS, 120_000);
  expect(await first.stop()).toBe(0);
  const before = pipeline.goodera.stats();
  expect(before).toMatchObject({ accepted: EVENTS, duplicates: 0 });
  const resultsBefore = pipeline.tail.messages(pipeline.topics.results).length;

  // The rewind, through the admin API (the group is empty now, as the CLI requires).
  const groupId = groupNames(pipeline.scenario.env.TOPIC_PREFIX!).deliver.goodera;
  const topic = pipeline.topics.deliver.goodera;
  const admin = pipeline.scenario.kafka.admin();
  await admin.connect();
  await admin.resetOffsets({ groupId, topic, earliest: true });
  const rewound = await admin.fetchOffsets({ groupId, topics: [topic] });
  expect(rewound[0]!.partitions.every((p) => Number(p.offset) <= 0)).toBe(true);

  const second = spawnService('replay', pipeline.scenario.env);
  services.push(second);
  const port = await second.started;
  // Every replayed event is recognised as final in PostgreSQL and skipped.
  const skipped = /impactin_idempotency_hits_total\{platform="goodera",source="postgres"\} (\d+)/;
  const deadline = Date.now() + 120_000;
  while ((await metric(port, skipped)) < EVENTS && Date.now() < deadline) await sleep(250);
  expect(await metric(port, skipped)).toBe(EVENTS);
  expect(await second.stop()).toBe(0);
  await admin.disconnect();

  expect(pipeline.goodera.stats()).toMatchObject({ accepted: EVENTS, duplicates: 0, distinctKeys: EVENTS });
  expect(pipeline.goodera.stats().requests).toEqual(before.requests);
  // No new results either: each (event, platform) has its one final result.
  await sleep(1_000);
  expect(pipeline.tail.messages(pipeline.topics.results)).toHaveLength(resultsBefore);
  expect(new Set(pipeline.results().map((r) => r.eventId))).toEqual(new Set(ids));
});
