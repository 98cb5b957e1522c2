/**
 * What must hold: the redaction stage is exactly-once — a redactor killed with SIGKILL in the
 * middle of its transactions and started again leaves every input event on the redacted topic
 * exactly once for read_committed readers (no gaps, no duplicates), with one audit row each.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeRedacted } from './helpers/avro.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';
import { tailTopics, type TopicTail } from '../../src/kafka/kafkajs/topic-tail.ts';

const EVENTS = 4000;
let pipeline: Pipeline;
let redacted: TopicTail;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  pipeline = await createPipeline('redactor-eos');
  redacted = await tailTopics(pipeline.scenario.kafka, [pipeline.topics.redacted], `t.${pipeline.scenario.id}.redacted`);
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await redacted?.stop();
  await pipeline?.close();
});

test('SIGKILL mid-batch, restart: each input event exactly once on the redacted topic', async () => {
  const ids = await pipeline.publisher.publishImpactEvents(sampleEvents(EVENTS, { tenants: TENANTS, seed: 11, now: new Date() }));
  const first = spawnService('redactor-eos', pipeline.scenario.env, 'redactor');
  services.push(first);
  await first.started;
  // Kill while transactions are in flight: after some output committed, well before the end.
  const deadline = Date.now() + 60_000;
  while (redacted.messages(pipeline.topics.redacted).length < 300 && Date.now() < deadline) await sleep(5);
  first.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  const committedAtKill = redacted.messages(pipeline.topics.redacted).length;
  expect(committedAtKill).toBeGreaterThan(0);
  expect(committedAtKill).toBeLessThan(EVENTS);

  const second = spawnService('redactor-eos', pipeline.scenario.env, 'redactor');
  services.push(second);
  await second.started;
  await redacted.waitFor(pipeline.topics.redacted, (m) => m.length >= EVENTS, 120_000);
  // Give a duplicate, if the stage produced one, the time to show up before counting.
  await sleep(3_000);
  expect(await second.stop()).toBe(0);

  const events = redacted.messages(pipeline.topics.redacted).map((m) => decodeRedacted(m.value!));
  const seen = new Map<string, number>();
  for (const event of events) seen.set(event.eventId, (seen.get(event.eventId) ?? 0) + 1);
  process.stdout.write(`redactor-eos: ${committedAtKill} committed at the kill; ${events.length} on the topic after restart\n`);
  expect(events).toHaveLength(EVENTS);
  expect(new Set(seen.keys())).toEqual(new Set(ids));
  expect([...seen.values()].every((n) => n === 1)).toBe(true);

  const audits = await pipeline.scenario.db.selectFrom('redaction_audit').select(['event_id']).execute();
  expect(audits).toHaveLength(EVENTS);
});
