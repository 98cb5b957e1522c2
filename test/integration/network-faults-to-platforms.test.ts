/**
 * What must hold: with a real TCP proxy (toxiproxy) between impact-in and each platform, and in
 * turn added latency, a bandwidth limit, connections that stall once the request is written (the
 * platform applies it, the answer never comes) and connection resets — every event reaches each
 * platform that takes it exactly once (duplicates 0 at the simulators, by business key) and the
 * results topic holds one final result per (event, platform). Checked to fail: with the look-up
 * before a re-send skipped (both deliverers taking `connector.lookup` as "not found"), the
 * stalled and reset answers were sent again — 15 Goodera, 18 Benevity and 12 Workday business
 * keys applied twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { createAllPlatforms, expectedDeliveries, type AllPlatforms } from './helpers/all-platforms.ts';
import { expectEachDeliveredOnce } from './helpers/exactly-once.ts';
import { FAULT_RUN_ENV } from './helpers/fault-run.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';
import { startToxiproxy, type Toxic, type ToxiproxyProxy, type ToxiproxyServer } from './helpers/toxiproxy-process.ts';

const EVENTS = 300;
const PHASE_MS = 10_000;
const PHASES: readonly { readonly name: string; readonly toxics: readonly Toxic[] }[] = [
  { name: 'latency', toxics: [{ type: 'latency', stream: 'downstream', attributes: { latency: 400, jitter: 200 } }] },
  { name: 'bandwidth', toxics: [{ type: 'bandwidth', stream: 'downstream', attributes: { rate: 2 } }, { type: 'bandwidth', stream: 'upstream', attributes: { rate: 4 } }] },
  // timeout 0: the connection stays open and nothing comes back until the toxic is removed.
  { name: 'stall', toxics: [{ type: 'timeout', stream: 'downstream', toxicity: 0.3, attributes: { timeout: 0 } }] },
  { name: 'reset', toxics: [{ type: 'reset_peer', stream: 'downstream', toxicity: 0.3, attributes: { timeout: 20 } }] },
];

let toxiproxy: ToxiproxyServer;
let proxies: Record<'goodera' | 'benevity' | 'workday', ToxiproxyProxy>;
let world: AllPlatforms;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  toxiproxy = await startToxiproxy(1605);
  proxies = { goodera: await toxiproxy.proxy('goodera'), benevity: await toxiproxy.proxy('benevity'), workday: await toxiproxy.proxy('workday') };
  world = await createAllPlatforms('net-faults', {
    GOODERA_BASE_URL: proxies.goodera.url,
    BENEVITY_BASE_URL: proxies.benevity.url,
    WORKDAY_BASE_URL: proxies.workday.url,
    ...FAULT_RUN_ENV,
    // Resets and stalls are failures to the breaker; this scenario is about exactly-once.
    BREAKER_FAILURE_THRESHOLD: '40',
    DELIVERY_MAX_ATTEMPTS: '41',
  }, { callbackBackoffMs: 200 });
  await proxies.goodera.connect(world.pipeline.goodera.url);
  await proxies.benevity.connect(world.benevity.url);
  await proxies.workday.connect(world.workday.url);
}, 900_000);

afterAll(async () => {
  await service?.stop();
  await world?.close();
  await toxiproxy?.close();
});

test('latency, a bandwidth limit, stalled answers and resets on the way to each platform: each (event, platform) exactly once', async () => {
  const { pipeline } = world;
  service = spawnService('net-faults', pipeline.scenario.env);
  await service.started;
  const events = sampleEvents(EVENTS, { tenants: TENANTS, seed: 1605, now: new Date() });
  // Published a slice per phase, as each phase's faults go on: every phase meets work in flight
  // however fast the machine drains a backlog (all published up front, a quiet machine finished
  // before the last phase began).
  const slice = Math.ceil(events.length / PHASES.length);
  const ids: string[] = [];

  const seen: string[] = [];
  for (const [n, phase] of PHASES.entries()) {
    for (const proxy of Object.values(proxies)) {
      for (const [i, toxic] of phase.toxics.entries()) await proxy.add(`${phase.name}${i}`, toxic);
    }
    seen.push(`${phase.name}@${pipeline.results().length}`);
    ids.push(...(await pipeline.publisher.publishImpactEvents(events.slice(n * slice, (n + 1) * slice))));
    await sleep(PHASE_MS);
    for (const proxy of Object.values(proxies)) {
      for (const i of phase.toxics.keys()) await proxy.remove(`${phase.name}${i}`);
    }
  }
  const expected = expectedDeliveries(events, ids);
  process.stdout.write(`net-faults: results when each phase began ${seen.join(', ')} of ${expected.size}\n`);
  // Every phase met work in flight: the last began before the last result.
  expect(Number(seen.at(-1)!.split('@')[1])).toBeLessThan(expected.size);

  await expectEachDeliveredOnce(world, expected, 'net-faults', 300_000);
  expect(service.child.exitCode).toBeNull();
}, 600_000);
