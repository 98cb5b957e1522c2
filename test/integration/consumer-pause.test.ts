/**
 * What must hold: a handler failure that means "stop for now" (a platform's breaker is open)
 * pauses the partition instead of retrying or skipping: nothing further is handled or committed
 * while paused, and on resume consumption starts again at the very message that failed, in order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ImpactError, isImpactError } from '../../src/domain/errors.ts';
import { ensureTopics } from '../../src/kafka/kafkajs/admin.ts';
import { createKafkaKeyOrderedConsumer } from '../../src/kafka/kafkajs/key-ordered-consumer.ts';
import { createKafkaSink } from '../../src/kafka/kafkajs/producer.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

let scenario: ScenarioEnv;

beforeAll(async () => {
  scenario = await createScenarioEnv('pause');
});

afterAll(async () => {
  await scenario?.cleanup();
});

test('paused on CIRCUIT_OPEN, resumed at the same message, nothing skipped', async () => {
  const topic = `${scenario.env.TOPIC_PREFIX}pause`;
  await ensureTopics(scenario.kafka, [topic], { partitions: 1, replicationFactor: 1 });
  const sink = createKafkaSink(scenario.kafka);
  await sink.connect();
  await sink.send(Array.from({ length: 20 }, (_, i) => ({ topic, key: 'k', value: String(i) })));
  await sink.disconnect();

  let open = false;
  let reopen: () => void = () => undefined;
  const handled: number[] = [];
  const pauses: boolean[] = [];
  const consumer = createKafkaKeyOrderedConsumer(scenario.kafka, {
    groupId: `${scenario.env.TOPIC_PREFIX}pause`,
    maxInFlightPerPartition: 8,
    maxInFlight: 16,
    topics: [topic],
    logger: createLogger('silent'),
    pauseOn: (error) => (isImpactError(error) && error.code === 'CIRCUIT_OPEN' ? new Promise<void>((resolve) => (reopen = resolve)) : undefined),
    onPause: (_topic, _partition, paused) => pauses.push(paused),
  });
  await consumer.start(async (message) => {
    const n = Number(message.value!.toString());
    if (n === 10 && !open) throw new ImpactError('CIRCUIT_OPEN', 'breaker open');
    handled.push(n);
  });
  const deadline = Date.now() + 30_000;
  while (pauses.length === 0 && Date.now() < deadline) await sleep(20);
  expect(pauses).toEqual([true]);
  // Paused: a while passes and nothing past message 9 is handled.
  await sleep(1_500);
  expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  open = true;
  reopen();
  while (handled.length < 20 && Date.now() < deadline) await sleep(20);
  await consumer.stop();
  expect(handled).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(pauses).toEqual([true, false]);
});
