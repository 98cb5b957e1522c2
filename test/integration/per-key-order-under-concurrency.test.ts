/**
 * What must hold: with many deliveries of one partition in flight at once (key-ordered
 * concurrency), the events of each (tenant, subject) still reach the platform in the order they
 * were published — each key's sequence strictly increasing at the Workday simulator, even when
 * requests are slowed at random and some fail and are retried — and each exactly once.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const EMPLOYEES_PER_TENANT = 4;
const EVENTS_PER_KEY = 15;
const KEYS = TENANTS.length * EMPLOYEES_PER_TENANT;
const OCCURRED = Date.parse('2026-11-20T10:00:00.000Z');

let world: AllPlatforms;
let service: ServiceProcess;

beforeAll(async () => {
  world = await createAllPlatforms('keyorder', {
    TOPIC_PARTITIONS: '2',
    DELIVERY_IN_FLIGHT_PER_PARTITION: '8',
    DELIVERY_IN_FLIGHT_PER_PROCESS: '16',
    // The simulators share the test process: a slow machine must not turn latency into timeouts.
    HTTP_REQUEST_TIMEOUT_MS: '10000',
  });
  service = spawnService('keyorder', world.pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await world?.close();
});

/** `step <n>` for the n-th event of a key: what the simulator records as the programme name. */
const stepOf = (activityName: string) => Number(/^step (\d+)$/.exec(activityName)?.[1] ?? Number.NaN);

test('each key\'s events reach Workday in publish order, once each, while its partition runs many keys at once', async () => {
  // Random slowness reorders requests of different keys; a few 503s make some keys retry.
  world.workday.injectFault({ route: '*', kind: 'latency', ms: 40, probability: 0.4 });
  world.workday.injectFault({ route: '*', kind: 'status', status: 503, probability: 0.05, count: 3 });

  const events: NewImpactEvent[] = [];
  for (let step = 1; step <= EVENTS_PER_KEY; step++) {
    for (const tenantId of TENANTS) {
      for (let n = 0; n < EMPLOYEES_PER_TENANT; n++) {
        const occurredAt = new Date(OCCURRED + step * 60_000).toISOString();
        events.push({
          tenantId,
          kind: 'program_enrolment',
          occurredAt,
          source: 'hr-volunteering',
          subject: { employeeId: `E${20_000 + n}` },
          payload: { programId: 'prg-1', programName: `step ${step}`, enrolledOn: occurredAt.slice(0, 10) },
        });
      }
    }
  }
  await world.pipeline.publisher.publishImpactEvents(events);

  const workdayResults = () => world.pipeline.results().filter((result) => result.platform === 'workday');
  await world.pipeline.tail.waitFor(world.pipeline.topics.results, () => workdayResults().length >= events.length, 150_000);
  expect(workdayResults().every((result) => result.status === 'delivered')).toBe(true);

  const records = world.workday.records();
  expect(records).toHaveLength(events.length);
  expect(world.workday.stats().duplicates).toBe(0);
  // Acceptance order per (tenant, worker): the pseudonym stands for the employee.
  const byKey = new Map<string, number[]>();
  for (const { value } of records) {
    const record = value.record as { workerId: string; programName: string };
    const key = `${value.tenant}:${record.workerId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), stepOf(record.programName)]);
  }
  expect(byKey.size).toBe(KEYS);
  const expected = Array.from({ length: EVENTS_PER_KEY }, (_, i) => i + 1);
  for (const [key, steps] of byKey) expect({ key, steps }).toEqual({ key, steps: expected });
});
