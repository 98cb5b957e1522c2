/**
 * What must hold: with many deliveries of one partition in flight at once (key-ordered
 * concurrency), the events of each (tenant, subject) still reach the platform in the order they
 * were published — each key's sequence strictly increasing at the Workday simulator, even when
 * requests are slowed at random and some fail and are retried — and each exactly once.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { keyedSteps, stepsByKey } from './helpers/keyed-steps.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const EMPLOYEES_PER_TENANT = 4;
const EVENTS_PER_KEY = 15;
const KEYS = TENANTS.length * EMPLOYEES_PER_TENANT;

let world: AllPlatforms;
let service: ServiceProcess;

beforeAll(async () => {
  world = await createAllPlatforms('keyorder', {
    TOPIC_PARTITIONS: '2',
    DELIVERY_IN_FLIGHT_PER_PARTITION: '8',
    DELIVERY_IN_FLIGHT_PER_PROCESS: '16',
    // The simulators share the test process: a slow machine must not turn latency into timeouts.
    HTTP_REQUEST_TIMEOUT_MS: '10000',
    // The lease must leave a write its answer and settle time (twice the timeout) and a window.
    IDEMPOTENCY_LEASE_MS: '25000',
  });
  service = spawnService('keyorder', world.pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await world?.close();
});

test('each key\'s events reach Workday in publish order, once each, while its partition runs many keys at once', async () => {
  // Random slowness reorders requests of different keys; a few 503s make some keys retry.
  world.workday.injectFault({ route: '*', kind: 'latency', ms: 40, probability: 0.4 });
  world.workday.injectFault({ route: '*', kind: 'status', status: 503, probability: 0.05, count: 3 });

  const events = keyedSteps({ employeesPerTenant: EMPLOYEES_PER_TENANT, eventsPerKey: EVENTS_PER_KEY, firstEmployee: 20_000 });
  await world.pipeline.publisher.publishImpactEvents(events);

  const workdayResults = () => world.pipeline.results().filter((result) => result.platform === 'workday');
  await world.pipeline.tail.waitFor(world.pipeline.topics.results, () => workdayResults().length >= events.length, 150_000);
  expect(workdayResults().every((result) => result.status === 'delivered')).toBe(true);

  const records = world.workday.records();
  expect(records).toHaveLength(events.length);
  expect(world.workday.stats().duplicates).toBe(0);
  // Acceptance order per (tenant, worker).
  const byKey = stepsByKey(world.workday);
  expect(byKey.size).toBe(KEYS);
  const expected = Array.from({ length: EVENTS_PER_KEY }, (_, i) => i + 1);
  for (const [key, steps] of byKey) expect({ key, steps }).toEqual({ key, steps: expected });
});
