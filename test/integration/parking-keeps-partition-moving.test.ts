/**
 * What must hold: a delivery whose back-off would hold its partition past the parking bound is
 * parked, and the partition goes on — later events of other subjects are delivered meanwhile —
 * while a later event of the SAME (tenant, subject) waits behind it and is delivered after it.
 * Each event reaches the platform once; the parking lot is empty at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { WORKDAY_ROUTES } from '../../src/simulators/workday/index.ts';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let world: AllPlatforms;
let service: ServiceProcess;

beforeAll(async () => {
  world = await createAllPlatforms('parking', {
    // One partition: every event below shares the partition of the one that fails.
    TOPIC_PARTITIONS: '1',
    DELIVERY_PARK_AFTER_MS: '1000',
  });
});

afterAll(async () => {
  await service?.stop();
  await world?.close();
});

const activity = (employeeId: string, n: number): NewImpactEvent => ({
  kind: 'volunteer_activity',
  tenantId: 'acme',
  occurredAt: '2026-11-20T10:00:00Z',
  source: 'volunteering-app',
  subject: { employeeId },
  payload: { activityName: `Food bank shift ${n}`, hours: 2, activityDate: '2026-11-20', projectId: 'prj-1', organizationId: 'org-1' },
});

async function metric(port: number, pattern: RegExp): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  return Number(pattern.exec(text)?.[1] ?? 0);
}

test('a long back-off parks the delivery; other subjects go on, the same subject waits behind it', async () => {
  const { pipeline, workday } = world;
  // Workday's first activity write answers 503 with Retry-After: 5 s — five times the bound.
  workday.injectFault({ route: WORKDAY_ROUTES.activity, kind: 'status', status: 503, retryAfterSeconds: 5, count: 1 });
  service = spawnService('parking', pipeline.scenario.env);
  const port = await service.started;

  const events = [activity('emp-a', 0), ...Array.from({ length: 8 }, (_, i) => activity(`emp-${i}`, i + 1)), activity('emp-a', 9)];
  const ids: string[] = [];
  for (const event of events) ids.push(await pipeline.publisher.publishImpactEvent(event));
  const [first, ...rest] = ids;
  const sameSubjectLater = ids[ids.length - 1]!;

  const workdayResults = () => pipeline.results().filter((r) => r.platform === 'workday');
  await pipeline.tail.waitFor(pipeline.topics.results, () => workdayResults().length >= ids.length, 90_000);
  expect(new Set(workdayResults().map((r) => r.eventId))).toEqual(new Set(ids));
  expect(workdayResults().every((r) => r.status === 'delivered')).toBe(true);
  expect(workdayResults().find((r) => r.eventId === first)!.attempts).toBe(2);
  // Its attempt history went through the lot into its row: the 503 before parking, then the send.
  const row = await pipeline.scenario.db
    .selectFrom('impact_deliveries')
    .select('attempt_history')
    .where('event_id', '=', first!)
    .where('platform', '=', 'workday')
    .executeTakeFirstOrThrow();
  expect((row.attempt_history as { result: string }[]).map((attempt) => attempt.result)).toEqual(['PLATFORM_UNAVAILABLE', 'delivered']);

  // The order in which Workday accepted them, by our idempotency key (its externalKey).
  const eventOf = new Map(workdayResults().map((r) => [r.idempotencyKey, r.eventId]));
  const accepted = workday.records().map((entry) => eventOf.get(entry.key.slice(entry.key.indexOf(':') + 1)));
  expect(accepted).toHaveLength(ids.length);
  expect(workday.stats()).toMatchObject({ accepted: ids.length, duplicates: 0 });
  // The other subjects went first: the partition did not wait 5 s for the failed one …
  const others = rest.slice(0, -1);
  expect(accepted.slice(0, others.length).sort()).toEqual([...others].sort());
  // … and the same subject kept its order.
  expect(accepted.slice(-2)).toEqual([first, sameSubjectLater]);

  expect(await metric(port, /impactin_parked_total\{platform="workday",reason="PLATFORM_UNAVAILABLE"\} (\d+)/)).toBe(1);
  expect(await metric(port, /impactin_parked_total\{platform="workday",reason="BEHIND_PARKED"\} (\d+)/)).toBe(1);
  let left = Infinity;
  const deadline = Date.now() + 10_000;
  while (left > 0 && Date.now() < deadline) {
    left = (await pipeline.scenario.db.selectFrom('parked_deliveries').select('event_id').execute()).length;
    if (left > 0) await sleep(100);
  }
  expect(left).toBe(0);
}, 150_000);
