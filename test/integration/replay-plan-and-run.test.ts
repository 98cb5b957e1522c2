/**
 * What must hold: a replay plan of a window that holds delivered, rejected, dead-lettered,
 * unknown-outcome, never-delivered and deleted-at-the-platform records says exactly what each is;
 * the run sends exactly the "would send" set, once each, through the live deliverers (which go on
 * delivering new events meanwhile); `--force` re-sends a delivered record once, as a new
 * generation with the reason recorded; the simulator counts no duplicate.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { groupNames } from '../../src/kafka/topics.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { runCli } from './helpers/cli.ts';
import { putOnDeliverTopic, redactedActivity } from './helpers/deliver-topic.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  pipeline = await createPipeline('replayrun');
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await pipeline?.close();
});

interface PlanJson {
  items: { eventId: string; verdict: string; action: string; code: string | null; externalRef: string | null }[];
  summary: { actions: Record<string, number> };
}

test('plan diff exactly right; run sends the would-send set once; --force re-sends once with a new generation', async () => {
  const env = pipeline.scenario.env;
  const db = pipeline.scenario.db;
  const from = new Date(Date.now() - 1_000);
  let service = spawnService('replayrun', env);
  services.push(service);
  await service.started;

  // Delivered, rejected (a record Goodera refuses), dead-lettered (a request answered 422).
  const events = sampleEvents(8, { tenants: TENANTS, seed: 41, now: new Date() });
  pipeline.goodera.injectFault({ route: '*', kind: 'status', status: 422, count: 1 });
  const [deadId] = await pipeline.publisher.publishImpactEvents([events[0]!]);
  await pipeline.tail.waitFor(pipeline.topics.deliverDlq.goodera, (m) => m.length >= 1, 60_000);
  const bad = events.findIndex((e, i) => i > 0 && e.kind === 'volunteer_activity');
  expect(bad).toBeGreaterThan(0);
  const rest = events.slice(1).map((e, i) =>
    i + 1 === bad ? ({ ...e, payload: { ...e.payload, projectId: `prj-${'x'.repeat(100)}` } } as NewImpactEvent) : e,
  );
  const restIds = await pipeline.publisher.publishImpactEvents(rest);
  const rejectedId = restIds[bad - 1]!;
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= events.length, 90_000);
  const deliveredIds = restIds.filter((id) => id !== rejectedId);
  // Deleted at the platform by a user there.
  const deletedId = deliveredIds[0]!;
  const deletedRow = await db.selectFrom('impact_deliveries').select('idempotency_key').where('event_id', '=', deletedId).executeTakeFirstOrThrow();
  expect(pipeline.goodera.deleteRecords(deletedRow.idempotency_key)).toBe(1);
  expect(await service.stop()).toBe(0);

  // Never delivered: on the deliver topic, but the group's offsets were moved past them (an offset
  // reset to latest). One of them has a send whose outcome is unknown (a deliverer died mid-send).
  const never = [randomUUID(), randomUUID(), randomUUID()];
  await putOnDeliverTopic(pipeline, never.map((id, i) => redactedActivity(id, 'acme', `b${i}`)));
  const admin = pipeline.scenario.kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(pipeline.topics.deliver.goodera);
  await admin.setOffsets({
    groupId: groupNames(env.TOPIC_PREFIX!).deliver.goodera,
    topic: pipeline.topics.deliver.goodera,
    partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
  });
  await admin.disconnect();
  const unknownId = never[2]!;
  await db.insertInto('unsettled_sends').values({ platform: 'goodera', event_id: unknownId }).execute();
  await sleep(5);
  const to = new Date();
  const window = ['--platform', 'goodera', '--from', from.toISOString(), '--to', to.toISOString()];

  // The plan, verified against the platform: every record's verdict, nothing sent.
  const requestsBefore = pipeline.goodera.stats().requests;
  const planned = await runCli(env, ['replay', 'plan', ...window, '--verify', '--json']);
  expect(planned).toMatchObject({ code: 0, stderr: '' });
  const plan = JSON.parse(planned.stdout) as PlanJson;
  const verdicts = Object.fromEntries(plan.items.map((item) => [item.eventId, `${item.verdict}:${item.action}`]));
  expect(verdicts).toEqual({
    [deadId!]: 'dead_lettered:none',
    [rejectedId]: 'rejected:none',
    ...Object.fromEntries(deliveredIds.map((id) => [id, id === deletedId ? 'missing_at_platform:none' : 'delivered:none'])),
    [never[0]!]: 'never_delivered:send',
    [never[1]!]: 'never_delivered:send',
    [unknownId]: 'outcome_unknown:send',
  });
  expect(plan.items.find((i) => i.eventId === deadId)!.code).toBe('PLATFORM_REJECTED');
  expect(plan.items.find((i) => i.eventId === deliveredIds[1])!.externalRef).toMatch(/.+/);
  expect(plan.summary.actions).toEqual({ send: 3, resend: 0, none: events.length });
  const table = await runCli(env, ['replay', 'plan', ...window]);
  expect(table.stdout).toContain('would send 3, would re-send 0');
  // Only lookups went out (one per delivered record), no write.
  expect(pipeline.goodera.stats().accepted).toBe(deliveredIds.length - 1);
  expect(pipeline.goodera.stats().requests).not.toEqual(requestsBefore);

  // The run, with live traffic going on.
  service = spawnService('replayrun', env);
  services.push(service);
  await service.started;
  const running = runCli(env, ['replay', 'run', ...window, '--verify', '--actor', 'sre:grace']);
  const liveIds = await pipeline.publisher.publishImpactEvents(sampleEvents(4, { tenants: TENANTS, seed: 42, now: new Date() }));
  const ran = await running;
  expect(ran).toMatchObject({ code: 0 });
  const replayId = /replay ([0-9a-f-]{36}) started/.exec(ran.stdout)![1]!;
  expect(ran.stdout).toContain('completed  sent 3/3  by sre:grace');
  const resultOf = (id: string) => pipeline.results().find((r) => r.eventId === id);
  await pipeline.tail.waitFor(pipeline.topics.results, () => [...never, ...liveIds].every((id) => resultOf(id)?.status === 'delivered'), 90_000);
  for (const id of never) expect(resultOf(id)).toMatchObject({ status: 'delivered', replayId });
  for (const id of liveIds) expect(resultOf(id)!.replayId).toBeUndefined();
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: deliveredIds.length - 1 + 3 + 4, duplicates: 0 });

  // --force needs a reason; with one, the record deleted at the platform is re-sent once.
  const noReason = await runCli(env, ['replay', 'run', ...window, '--event-id', deletedId, '--verify', '--force']);
  expect(noReason.code).toBe(2);
  expect(noReason.stderr).toContain('--force needs --reason');
  const forced = await runCli(env, ['replay', 'run', ...window, '--event-id', deletedId, '--verify', '--force', '--reason', 'deleted by the tenant at Goodera', '--actor', 'sre:grace']);
  expect(forced.stdout).toContain('would send 0, would re-send 1');
  const forcedId = /replay ([0-9a-f-]{36}) started/.exec(forced.stdout)![1]!;
  await pipeline.tail.waitFor(pipeline.topics.results, () => resultOf(deletedId)?.generation === 1, 60_000);
  expect(resultOf(deletedId)).toMatchObject({ status: 'delivered', generation: 1, replayId: forcedId });
  const grant = await db.selectFrom('delivery_generations').selectAll().where('event_id', '=', deletedId).executeTakeFirstOrThrow();
  expect(grant).toMatchObject({ generation: 1, kind: 'force', reason: 'deleted by the tenant at Goodera', replay_id: forcedId, requested_by: 'sre:grace', previous_status: 'delivered' });
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: deliveredIds.length + 3 + 4, duplicates: 0 });

  // Planned again, everything in the window is delivered and present: nothing would be sent.
  const after = JSON.parse((await runCli(env, ['replay', 'plan', ...window, '--verify', '--json'])).stdout) as PlanJson;
  expect(after.summary.actions).toEqual({ send: 0, resend: 0, none: events.length + 3 });
  const listed = await runCli(env, ['replay', 'list', '--json']);
  const replays = JSON.parse(listed.stdout) as { id: string; status: string; sent: number; requestedBy: string }[];
  expect(replays.map((r) => [r.id, r.status, r.sent]).sort()).toEqual([[replayId, 'completed', 3], [forcedId, 'completed', 1]].sort());
  expect(await db.selectFrom('admin_audit').select('action').where('action', '=', 'replay.run').execute()).toHaveLength(2);
});
