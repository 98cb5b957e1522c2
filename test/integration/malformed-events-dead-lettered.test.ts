/**
 * What must hold: malformed messages among good ones go to the events dead-letter topic with
 * their reason, source topic, partition and offset in headers, and their original key and bytes
 * (sealed, since they may hold personal data) — and the pipeline goes on delivering every good event.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { DLQ_HEADERS, openDeadLetter } from '../../src/kafka/dead-letter.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('malformed');
  service = spawnService('malformed', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

const MALFORMED: { value: string; code: string }[] = [
  { value: 'not json at all', code: 'DECODE_FAILED' },
  { value: '{"truncated": ', code: 'DECODE_FAILED' },
  { value: '', code: 'DECODE_FAILED' },
  { value: '[]', code: 'VALIDATION_FAILED' },
  { value: '{"kind":"donation"}', code: 'VALIDATION_FAILED' },
  { value: '{"kind":"teleportation","eventId":"1"}', code: 'VALIDATION_FAILED' },
  { value: 'null', code: 'VALIDATION_FAILED' },
  { value: '42', code: 'VALIDATION_FAILED' },
  { value: '"a string"', code: 'VALIDATION_FAILED' },
  { value: '\u0000\u0001binary\uffff', code: 'DECODE_FAILED' },
];

test('10 malformed among 100 good → 100 delivered, 10 dead-lettered with reason and source', async () => {
  const good = sampleEvents(100, { tenants: TENANTS, seed: 99 });
  // Interleave: bad messages between good ones, on the same topic.
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    ids.push(...(await pipeline.publisher.publishImpactEvents(good.slice(i * 10, i * 10 + 10))));
    await pipeline.publisher.publishRaw([{ key: `bad-${i}`, value: MALFORMED[i]!.value }]);
  }

  await pipeline.tail.waitFor(pipeline.topics.eventsDlq, (m) => m.length >= 10, 60_000);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 100, 120_000);

  const results = pipeline.results();
  expect(results).toHaveLength(100);
  expect(new Set(results.map((r) => r.eventId))).toEqual(new Set(ids));
  expect(pipeline.goodera.stats().distinctKeys).toBe(100);

  const dead = pipeline.tail.messages(pipeline.topics.eventsDlq);
  expect(dead).toHaveLength(10);
  const box = createSecretBox(new Map([['k1', Buffer.from(pipeline.scenario.env.IMPACT_SECRET_KEY!, 'base64')]]), 'k1');
  const indexes = new Set<number>();
  for (const message of dead) {
    const opened = openDeadLetter(box, message);
    const index = Number(opened.key!.toString().slice(4));
    indexes.add(index);
    const original = MALFORMED[index]!;
    expect(opened.value.toString()).toBe(original.value);
    expect(opened.topic).toBe(pipeline.topics.events);
    expect(message.headers[DLQ_HEADERS.code]).toBe(original.code);
    expect(message.headers[DLQ_HEADERS.reason]!.length).toBeGreaterThan(0);
    expect(message.headers[DLQ_HEADERS.stage]).toBe('redactor');
    expect(message.headers[DLQ_HEADERS.sourceTopic]).toBe(pipeline.topics.events);
    expect(Number(message.headers[DLQ_HEADERS.sourcePartition])).toBeGreaterThanOrEqual(0);
    expect(message.headers[DLQ_HEADERS.sourceOffset]).toMatch(/^\d+$/);
  }
  expect(indexes.size).toBe(10);
  // Nothing was dead-lettered further down the pipeline.
  expect(pipeline.tail.messages(pipeline.topics.deliverDlq.goodera)).toHaveLength(0);
});
