/**
 * What must hold: a replay run killed with SIGKILL part-way and then resumed (`replay run --id`)
 * sends every planned event exactly once — nothing twice, nothing left out — and ends completed.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { groupNames } from '../../src/kafka/topics.ts';
import { runCli } from './helpers/cli.ts';
import { putOnDeliverTopic, redactedActivity } from './helpers/deliver-topic.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const EVENTS = 240;
let pipeline: Pipeline;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  pipeline = await createPipeline('replaykill');
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('SIGKILL mid-run, resumed: each planned event delivered once, duplicates 0', async () => {
  const env = pipeline.scenario.env;
  const db = pipeline.scenario.db;
  const from = new Date(Date.now() - 1_000);
  // Events on the deliver topic that the group's offsets were moved past (never delivered).
  const ids = Array.from({ length: EVENTS }, () => randomUUID());
  await putOnDeliverTopic(pipeline, ids.map((id, i) => redactedActivity(id, TENANTS[i % TENANTS.length]!, `c${(i % 40).toString(16).padStart(2, "0")}`)));
  const admin = pipeline.scenario.kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(pipeline.topics.deliver.goodera);
  await admin.setOffsets({
    groupId: groupNames(env.TOPIC_PREFIX!).deliver.goodera,
    topic: pipeline.topics.deliver.goodera,
    partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
  });
  await admin.disconnect();
  await sleep(5);
  const to = new Date();
  service = spawnService('replaykill', env);
  await service.started;

  // The run, paced at 40 messages a second, killed once some but not all items are out.
  const cli = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, 'replay', 'run', '--platform', 'goodera', '--from', from.toISOString(), '--to', to.toISOString(), '--rate', '40'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const sentSoFar = async () => Number((await db.selectFrom('replay_items').select((eb) => eb.fn.count<string>('sent_at').as('n')).executeTakeFirst())?.n ?? 0);
  const deadline = Date.now() + 120_000;
  while ((await sentSoFar()) < 40 && Date.now() < deadline) await sleep(20);
  child.kill('SIGKILL');
  await exited;
  const atKill = await sentSoFar();
  expect(atKill).toBeGreaterThanOrEqual(40);
  expect(atKill).toBeLessThan(EVENTS);
  const replay = await db.selectFrom('replays').select(['id', 'status']).executeTakeFirstOrThrow();
  expect(replay.status).toBe('running');

  const resumed = await runCli(env, ['replay', 'run', '--id', replay.id]);
  expect(resumed).toMatchObject({ code: 0 });
  expect(resumed.stdout).toContain(`completed  sent ${EVENTS}/${EVENTS}`);

  const resultOf = new Map<string, string>();
  await pipeline.tail.waitFor(
    pipeline.topics.results,
    () => {
      for (const r of pipeline.results()) resultOf.set(r.eventId, r.status);
      return ids.every((id) => resultOf.get(id) === 'delivered');
    },
    180_000,
  );
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: EVENTS, distinctKeys: EVENTS, duplicates: 0 });
  for (const r of pipeline.results()) expect(r.replayId).toBe(replay.id);
});
