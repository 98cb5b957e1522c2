/**
 * What must hold: 500 events across all three platforms, with 20 % of platform calls answering
 * 5xx, 5 % applied but their answer lost, and bursts of 429 — every event reaches each platform
 * that takes it exactly once (duplicates 0, counted by business key at the simulators), and the
 * results topic holds exactly one final result per (event, platform).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { createAllPlatforms, deliveriesTo, expectedDeliveries, type AllPlatforms } from './helpers/all-platforms.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const EVENTS = 500;
let world: AllPlatforms;
let service: ServiceProcess;

beforeAll(async () => {
  world = await createAllPlatforms('chaos', {
    BENEVITY_IMPORT_SETTLE_MS: '2000',
    // 20 % 5xx would keep the breakers tripping (5 failures in 10 s): this scenario is about
    // exactly-once under faults; the breaker has its own (platform-down-breaker).
    BREAKER_FAILURE_THRESHOLD: '40',
    DELIVERY_MAX_ATTEMPTS: '41',
    // Goodera at 600 requests/min per key (its simulator enforces the same): at 100/min every
    // failed batch costs a lookup per record at 0.6 s each and the run takes most of 10 minutes.
    // Its real limit, and our pacing under it, are goodera-rate-limit's scenario.
    GOODERA_RATE_LIMIT_PER_MINUTE: '600',
  });
});

afterAll(async () => {
  await service?.stop();
  await world?.close();
});

test('500 events, 20 % 5xx, 5 % lost answers, 429 bursts: each (event, platform) exactly once', async () => {
  const { pipeline, benevity, workday } = world;
  const simulators = [pipeline.goodera, benevity, workday];
  for (const sim of simulators) {
    sim.injectFault([
      { route: '*', kind: 'status', status: 503, probability: 0.2 },
      { route: '*', kind: 'applied_response_lost', probability: 0.05 },
    ]);
  }
  service = spawnService('chaos', pipeline.scenario.env);
  await service.started;
  const events = sampleEvents(EVENTS, { tenants: TENANTS, seed: 99, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);
  const expected = expectedDeliveries(events, ids);
  // Bursts of 429 with Retry-After while the run is under way.
  for (let burst = 0; burst < 3; burst++) {
    await sleep(2_000);
    for (const sim of simulators) sim.injectFault({ route: '*', kind: 'status', status: 429, retryAfterSeconds: 1, count: 15 });
  }

  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= expected.size, 400_000);
  await sleep(2_000); // a duplicate result, were there one, would land by now

  const perKey = new Map<string, number>();
  for (const message of pipeline.tail.messages(pipeline.topics.results)) {
    perKey.set(message.key!.toString(), (perKey.get(message.key!.toString()) ?? 0) + 1);
  }
  const results = pipeline.results();
  expect(new Set(results.map((r) => `${r.eventId}:${r.platform}`))).toEqual(expected);
  expect(results.filter((r) => r.status !== 'delivered').map((r) => `${r.platform} ${r.errorClass}`)).toEqual([]);
  const count = (platform: string) => deliveriesTo(expected, platform);
  // Printed before the checks so that a failing run says which business keys went twice.
  for (const [name, sim] of [['goodera', pipeline.goodera], ['benevity', benevity], ['workday', workday]] as const) {
    const { accepted, distinctKeys, duplicateKeys, requests } = sim.stats();
    process.stdout.write(`chaos ${name}: expected ${count(name)} accepted ${accepted} distinct ${distinctKeys} ` +
      `duplicate keys ${JSON.stringify(duplicateKeys)} requests ${JSON.stringify(requests)}\n`);
  }
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: count('goodera'), distinctKeys: count('goodera'), duplicates: 0 });
  expect(benevity.stats()).toMatchObject({ accepted: count('benevity'), duplicates: 0 });
  expect(workday.stats()).toMatchObject({ accepted: count('workday'), duplicates: 0 });
  // The relay publishes at least once; by key, the final result is there once per (event, platform).
  const repeats = [...perKey.values()].filter((n) => n > 1).length;
  process.stdout.write(`chaos: ${expected.size} deliveries; result messages re-published by the relay: ${repeats}\n`);
  const rows = await pipeline.scenario.db.selectFrom('impact_deliveries').select(['event_id', 'platform']).execute();
  expect(rows).toHaveLength(expected.size);
}, 420_000);
