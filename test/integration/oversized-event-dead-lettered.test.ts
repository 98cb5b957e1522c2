/**
 * What must hold: an event of about 1 MB (a description far beyond the contract's 4,000
 * characters, just under the input topic's 1 MiB limit) is dead-lettered with its reason and its
 * original bytes, sealed — the dead letter is larger than the original, and its topic takes it —
 * and the events behind it on the same partition are delivered.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { DLQ_HEADERS, openDeadLetter } from '../../src/kafka/dead-letter.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { avroFixtures } from './helpers/avro.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  // One partition: the good events queue behind the big one.
  pipeline = await createPipeline('oversized', { TOPIC_PARTITIONS: '1' });
  service = spawnService('oversized', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('a 1 MB event is dead-lettered whole and the partition goes on', async () => {
  const fx = await avroFixtures(pipeline.scenario.env);
  const activity = sampleEvents(40, { tenants: ['acme'], seed: 21, now: new Date() }).find((e) => e.kind === 'volunteer_activity');
  const good = sampleEvents(20, { tenants: ['acme'], seed: 22, now: new Date() });
  const big = fx.encodeUnchecked({
    ...activity!,
    eventId: '00000000-0000-4000-8000-0000000000b1',
    payload: { ...activity!.payload, description: 'Planted trees along the river. '.repeat(33_000) },
  });
  expect(big.length).toBeGreaterThan(990_000);
  expect(big.length).toBeLessThan(1_048_000);
  await pipeline.publisher.publishRaw([{ key: 'acme:big', value: big }]);
  const ids = await pipeline.publisher.publishImpactEvents(good);

  await pipeline.tail.waitFor(pipeline.topics.eventsDlq, (m) => m.length >= 1, 60_000);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= ids.length, 60_000);
  expect(new Set(pipeline.results().map((r) => r.eventId))).toEqual(new Set(ids));

  const [letter] = pipeline.tail.messages(pipeline.topics.eventsDlq);
  expect(letter!.headers[DLQ_HEADERS.code]).toBe('VALIDATION_FAILED');
  expect(letter!.headers[DLQ_HEADERS.reason]).toContain('payload.description');
  expect(letter!.value!.length).toBeGreaterThan(big.length);
  const box = createSecretBox(new Map([['k1', Buffer.from(pipeline.scenario.env.IMPACT_SECRET_KEY!, 'base64')]]), 'k1');
  expect(openDeadLetter(box, letter!).value.equals(big)).toBe(true);
}, 120_000);
