/**
 * What must hold: an outbox row is published to its topic only after its transaction commits,
 * is marked published, and a failed publish leaves it pending to be published later — nothing
 * committed to the outbox is lost, nothing rolled back is published; a write wakes an idle relay
 * at commit (the outbox table's NOTIFY trigger), so results do not wait for its poll.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createKafka } from '../../src/kafka/kafkajs/client.ts';
import { ensureTopics } from '../../src/kafka/kafkajs/admin.ts';
import { createKafkaSink, type KafkaSink } from '../../src/kafka/kafkajs/producer.ts';
import { tailTopics } from '../../src/kafka/kafkajs/topic-tail.ts';
import { loadKafkaConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { writeOutbox } from '../../src/outbox/outbox.ts';
import { createOutboxRelay } from '../../src/outbox/outbox-relay.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

let scenario: ScenarioEnv;
let sink: KafkaSink;
const logger = createLogger('silent');

beforeAll(async () => {
  scenario = await createScenarioEnv('outbox');
  sink = createKafkaSink(createKafka(loadKafkaConfig(scenario.env), 'outbox-test', logger));
  await sink.connect();
});

afterAll(async () => {
  await sink?.disconnect();
  await scenario?.cleanup();
});

test('committed rows are published once marked; rolled-back rows never; failures retried', async () => {
  const topic = `${scenario.env.TOPIC_PREFIX}outbox.test`;
  await ensureTopics(scenario.kafka, [topic], { partitions: 1, replicationFactor: 1 });
  const tail = await tailTopics(scenario.kafka, [topic], `t.${scenario.id}.tail`);

  await scenario.db.transaction().execute((tx) =>
    writeOutbox(tx, [
      { topic, key: 'a', value: 'first', headers: { h: '1' } },
      { topic, key: 'b', value: 'second' },
    ]),
  );
  await scenario.db
    .transaction()
    .execute(async (tx) => {
      await writeOutbox(tx, [{ topic, key: 'rolled-back', value: 'never' }]);
      throw new Error('roll back');
    })
    .catch(() => undefined);

  // A relay whose Kafka sends fail: the rows stay pending.
  let failures = 0;
  const failing = createOutboxRelay({
    db: scenario.db,
    databaseUrl: scenario.env.DATABASE_URL!,
    sink: {
      send: async () => {
        failures++;
        throw new Error('broker down');
      },
    },
    logger,
    batchSize: 10,
    pollIntervalMs: 50,
  });
  await expect(failing.publishBatch()).rejects.toThrow('broker down');
  expect(failures).toBe(1);
  const pending = await scenario.db.selectFrom('outbox').select(['message_key', 'published_at']).execute();
  expect(pending.map((r) => [r.message_key, r.published_at])).toEqual([
    ['a', null],
    ['b', null],
  ]);

  // The real relay publishes them, in order, and marks them.
  const relay = createOutboxRelay({
    db: scenario.db,
    databaseUrl: scenario.env.DATABASE_URL!,
    sink,
    logger,
    batchSize: 10,
    pollIntervalMs: 50,
  });
  relay.start();
  await tail.waitFor(topic, (m) => m.length >= 2, 30_000);
  await relay.stop();
  const published = tail.messages(topic);
  expect(published.map((m) => [m.key?.toString(), m.value?.toString()])).toEqual([
    ['a', 'first'],
    ['b', 'second'],
  ]);
  expect(published[0]!.headers).toEqual({ h: '1' });
  const rows = await scenario.db.selectFrom('outbox').select(['published_at']).execute();
  expect(rows.every((r) => r.published_at instanceof Date)).toBe(true);
  expect(await relay.publishBatch()).toBe(0);
  await tail.stop();
});

test('an outbox write wakes an idle relay at commit, through the outbox table’s own trigger', async () => {
  const topic = `${scenario.env.TOPIC_PREFIX}outbox.wake`;
  await ensureTopics(scenario.kafka, [topic], { partitions: 1, replicationFactor: 1 });
  const tail = await tailTopics(scenario.kafka, [topic], `t.${scenario.id}.wake`);
  // A poll ten minutes apart: within this test only the NOTIFY can wake the relay.
  const relay = createOutboxRelay({ db: scenario.db, databaseUrl: scenario.env.DATABASE_URL!, sink, logger, batchSize: 10, pollIntervalMs: 600_000 });
  relay.start();
  await scenario.db.transaction().execute((tx) => writeOutbox(tx, [{ topic, key: 'first', value: 'before idle' }]));
  await tail.waitFor(topic, (m) => m.length >= 1, 30_000);
  // Let the relay find nothing more and go idle, waiting for a notification or its poll.
  await sleep(1_000);
  await scenario.db.transaction().execute((tx) => writeOutbox(tx, [{ topic, key: 'second', value: 'woken' }]));
  await tail.waitFor(topic, (m) => m.length >= 2, 15_000);
  await relay.stop();
  expect(tail.messages(topic).map((m) => m.key?.toString())).toEqual(['first', 'second']);
  await tail.stop();
});
