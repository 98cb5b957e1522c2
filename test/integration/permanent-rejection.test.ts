/**
 * What must hold: an event the platform rejects for good (422) is sent once, not retried, ends as
 * one `rejected` result with its reason, and is dead-lettered once on that platform's dead-letter
 * topic — while every other event flows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DLQ_HEADERS } from '../../src/kafka/dead-letter.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('rejection');
  service = spawnService('rejection', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('a record the platform refuses (422 validation_failed) is dead-lettered once with its reason; the other 49 are delivered', async () => {
  const events = sampleEvents(50, { tenants: TENANTS, seed: 13, now: new Date() });
  // Valid for impact-in (ids up to 128 characters), refused by Goodera (project ids up to 64).
  const bad = events.findIndex((e) => e.kind === 'volunteer_activity');
  const rejected = { ...events[bad]!, payload: { ...events[bad]!.payload, projectId: `prj-${'x'.repeat(100)}` } } as NewImpactEvent;
  events[bad] = rejected;
  const ids = await pipeline.publisher.publishImpactEvents(events);

  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 50, 90_000);
  await pipeline.tail.waitFor(pipeline.topics.deliverDlq.goodera, (m) => m.length >= 1, 30_000);
  await sleep(1_000); // time for a second dead letter, were there one

  const results = new Map(pipeline.results().map((r) => [r.eventId, r]));
  expect(results.get(ids[bad]!)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED', attempts: 1 });
  expect(results.get(ids[bad]!)!.errorReason).toContain('validation_failed');
  expect(ids.filter((id) => id !== ids[bad]).every((id) => results.get(id)?.status === 'delivered')).toBe(true);

  const dead = pipeline.tail.messages(pipeline.topics.deliverDlq.goodera);
  expect(dead).toHaveLength(1);
  expect(dead[0]!.headers[DLQ_HEADERS.code]).toBe('PLATFORM_REJECTED');
  expect(dead[0]!.headers[DLQ_HEADERS.reason]).toContain('projectId');
  expect(dead[0]!.headers[DLQ_HEADERS.sourceTopic]).toBe(pipeline.topics.deliver.goodera);

  // Sent once: no retry of a final rejection.
  const stats = pipeline.goodera.stats();
  expect(stats).toMatchObject({ accepted: 49, duplicates: 0 });
});
