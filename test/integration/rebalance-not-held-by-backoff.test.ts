/**
 * What must hold: a handler waiting out a long back-off does not hold up a rebalance. When a second
 * member joins, the first one's heartbeat learns of the rebalance, the waiting handler is told to
 * let go (its signal aborts), the message stays uncommitted, and the group settles at once — the
 * newcomer is in the group long before the back-off would have ended — and the held message is
 * handled again (by whichever member gets its partition), not lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { waitWithHeartbeat } from '../../src/consumers/delivery-rules.ts';
import { ensureTopics } from '../../src/kafka/kafkajs/admin.ts';
import { createKafkaKeyOrderedConsumer } from '../../src/kafka/kafkajs/key-ordered-consumer.ts';
import { createKafkaSink } from '../../src/kafka/kafkajs/producer.ts';
import type { MessageHandler, StageConsumer } from '../../src/kafka/ports.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

/** The deliverers' consumer, as the service runs it (bounds of its own). */
const IN_FLIGHT = { maxInFlightPerPartition: 8, maxInFlight: 16 };

let scenario: ScenarioEnv;
const consumers: StageConsumer[] = [];

beforeAll(async () => {
  scenario = await createScenarioEnv('rebalance');
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.stop();
  await scenario?.cleanup();
});

const BACKOFF_MS = 120_000;

test('a member in a long back-off lets go when the group rebalances', async () => {
  const topic = `${scenario.env.TOPIC_PREFIX}rebalance`;
  const groupId = `${scenario.env.TOPIC_PREFIX}rebalance`;
  await ensureTopics(scenario.kafka, [topic], { partitions: 2, replicationFactor: 1 });
  const sink = createKafkaSink(scenario.kafka);
  await sink.connect();
  // Twenty keys: both partitions get messages.
  await sink.send(Array.from({ length: 20 }, (_, i) => ({ topic, key: `subject-${i}`, value: String(i) })));
  await sink.disconnect();

  const handledBy = { first: new Set<string>(), second: new Set<string>() };
  let firstWaiting = false;
  let firstLetGo: unknown;
  let letGoAfterMs = NaN;
  const first: MessageHandler = async (message, signal, heartbeat) => {
    const id = message.value!.toString();
    if (id === '0' && firstLetGo === undefined) {
      // The platform failed this one: a long back-off, heartbeating, as the deliverers do.
      firstWaiting = true;
      const started = Date.now();
      await waitWithHeartbeat(BACKOFF_MS, signal, heartbeat);
      firstLetGo = signal.reason ?? 'not aborted';
      letGoAfterMs = Date.now() - started;
      throw new Error('back-off interrupted');
    }
    handledBy.first.add(id);
  };
  const second: MessageHandler = async (message) => {
    handledBy.second.add(message.value!.toString());
  };
  const logger = createLogger('silent');
  const a = createKafkaKeyOrderedConsumer(scenario.kafka, { groupId, topics: [topic], logger, partitionsConsumedConcurrently: 2, ...IN_FLIGHT });
  consumers.push(a);
  await a.start(first);
  const deadline = Date.now() + 60_000;
  while (!firstWaiting && Date.now() < deadline) await sleep(50);
  expect(firstWaiting).toBe(true);

  const joinedAt = Date.now();
  const b = createKafkaKeyOrderedConsumer(scenario.kafka, { groupId, topics: [topic], logger, partitionsConsumedConcurrently: 2, ...IN_FLIGHT });
  consumers.push(b);
  await b.start(second);
  while (firstLetGo === undefined && Date.now() < deadline) await sleep(50);

  // The waiting handler was aborted by the rebalance, well inside its back-off.
  expect(firstLetGo).toBeInstanceOf(Error);
  expect(letGoAfterMs).toBeLessThan(BACKOFF_MS);
  // The rebalance completed: the newcomer is a member of the group.
  while (!b.isHealthy() && Date.now() < deadline) await sleep(50);
  expect(b.isHealthy()).toBe(true);
  // Every message is handled by one member or the other, the held one included.
  const all = () => new Set([...handledBy.first, ...handledBy.second]);
  while (all().size < 20 && Date.now() < deadline) await sleep(100);
  expect(all()).toEqual(new Set(Array.from({ length: 20 }, (_, i) => String(i))));
  // Which member handled what depends on the assignment (the first member may have drained the
  // other partition before the newcomer joined); that the group did not wait for the back-off does not.
  expect(Date.now() - joinedAt).toBeLessThan(BACKOFF_MS);
});
