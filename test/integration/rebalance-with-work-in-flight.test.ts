/**
 * What must hold: while a Workday deliverer has many deliveries of its partitions in flight
 * (key-ordered concurrency), a second member joining and then the first one leaving — two
 * rebalances that take partitions away mid-work — lose nothing and double nothing: every event
 * reaches Workday once, in order per key, with exactly one delivered result.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { keyedSteps, stepsByKey } from './helpers/keyed-steps.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const EMPLOYEES_PER_TENANT = 20;
const EVENTS_PER_KEY = 16;
const TOTAL = TENANTS.length * EMPLOYEES_PER_TENANT * EVENTS_PER_KEY;

let world: AllPlatforms;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  world = await createAllPlatforms('rebalinflight', {
    TOPIC_PARTITIONS: '4',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    // At most 4 partitions x 4 in flight x 5 per second at 200 ms: the stream lasts long enough for both rebalances.
    DELIVERY_IN_FLIGHT_PER_PARTITION: '4',
  });
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await world?.close();
});

async function waitUntil(condition: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('a member joining and one leaving mid-work: every event at Workday once, in order per key, one result each', async () => {
  // Slow answers keep many deliveries in flight when the partitions move.
  world.workday.injectFault({ route: '*', kind: 'latency', ms: 200 });
  const stages = spawnService('rebalinflight', world.pipeline.scenario.env, 'redactor,router,relay');
  services.push(stages);
  const first = spawnService('rebalinflight', world.pipeline.scenario.env, 'deliver:workday');
  services.push(first);
  await Promise.all([stages.started, first.started]);

  const events = keyedSteps({ employeesPerTenant: EMPLOYEES_PER_TENANT, eventsPerKey: EVENTS_PER_KEY, firstEmployee: 30_000 });
  await world.pipeline.publisher.publishImpactEvents(events);

  // A second member joins while the first is mid-stream: partitions move with work in flight.
  await waitUntil(() => world.workday.stats().accepted >= 50, 'the first deliveries', 150_000);
  const second = spawnService('rebalinflight', world.pipeline.scenario.env, 'deliver:workday');
  services.push(second);
  await second.started;
  const acceptedAtJoin = world.workday.stats().accepted;
  // Then the first leaves (SIGTERM): its partitions are revoked with work in flight again.
  await waitUntil(() => world.workday.stats().accepted >= TOTAL / 2, 'half the deliveries', 150_000);
  const acceptedAtLeave = world.workday.stats().accepted;
  expect(await first.stop()).toBe(0);

  const workdayResults = () => world.pipeline.results().filter((result) => result.platform === 'workday');
  await world.pipeline.tail.waitFor(world.pipeline.topics.results, () => workdayResults().length >= TOTAL, 170_000);
  process.stdout.write(`rebalance-with-work-in-flight: accepted at join ${acceptedAtJoin}, at leave ${acceptedAtLeave}, of ${TOTAL}\n`);
  expect(acceptedAtLeave).toBeLessThan(TOTAL);

  const stats = world.workday.stats();
  expect(stats.accepted).toBe(TOTAL);
  expect(stats.duplicates).toBe(0);
  const results = workdayResults();
  expect(results).toHaveLength(TOTAL);
  expect(results.every((result) => result.status === 'delivered')).toBe(true);
  const rows = await world.pipeline.scenario.db.selectFrom('impact_deliveries').select('event_id').where('platform', '=', 'workday').execute();
  expect(rows).toHaveLength(TOTAL);

  const byKey = stepsByKey(world.workday);
  const expected = Array.from({ length: EVENTS_PER_KEY }, (_, i) => i + 1);
  for (const [key, steps] of byKey) expect({ key, steps }).toEqual({ key, steps: expected });
});
