/**
 * What must hold: the deliverers killed with SIGKILL at random points, five times during a run
 * over all three platforms (with lost answers and slow calls, so kills land mid-send), and
 * started again each time — every event reaches each platform that takes it exactly once, and
 * the results topic holds one final result per (event, platform).
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents, seededRandom } from '../../src/publisher/sample-events.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { createAllPlatforms, deliveriesTo, expectedDeliveries, type AllPlatforms } from './helpers/all-platforms.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const EVENTS = 300;
const DELIVERERS = 'deliver:benevity,deliver:goodera,deliver:workday';
let world: AllPlatforms;
const services: ServiceProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

beforeAll(async () => {
  world = await createAllPlatforms(
    'kills',
    {
      // One callback port for every restart; late callbacks are polled for after 3 s.
      BENEVITY_CALLBACK_PORT: String(await freePort()),
      BENEVITY_CALLBACK_WAIT_MS: '3000',
      BENEVITY_IMPORT_POLL_INTERVAL_MS: '1000',
      BENEVITY_IMPORT_SETTLE_MS: '2000',
      GOODERA_BATCH_SIZE: '10',
      // A killed member's partitions stand for one session timeout before they move.
      KAFKA_SESSION_TIMEOUT_MS: '10000',
    },
    { callbackBackoffMs: 200 },
  );
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await world?.close();
});

test('five SIGKILLs of the deliverers at random points: each (event, platform) exactly once', async () => {
  const { pipeline, benevity, workday } = world;
  for (const sim of [pipeline.goodera, benevity, workday]) {
    sim.injectFault([
      { route: '*', kind: 'latency', ms: 40 },
      { route: '*', kind: 'applied_response_lost', probability: 0.05 },
    ]);
  }
  const stages = spawnService('kills-stages', pipeline.scenario.env, 'redactor,router,relay');
  services.push(stages);
  await stages.started;
  const events = sampleEvents(EVENTS, { tenants: TENANTS, seed: 123, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);
  const expected = expectedDeliveries(events, ids);

  const random = seededRandom(5);
  const kills: string[] = [];
  for (let kill = 0; kill < 5; kill++) {
    const deliverer = spawnService('kills-deliverers', pipeline.scenario.env, DELIVERERS);
    services.push(deliverer);
    await deliverer.started;
    await sleep(1_000 + Math.floor(random() * 3_000));
    deliverer.kill('SIGKILL');
    expect(await deliverer.exited).toBe('SIGKILL');
    kills.push(`${pipeline.results().length}/${expected.size}`);
  }
  const last = spawnService('kills-deliverers', pipeline.scenario.env, DELIVERERS);
  services.push(last);
  await last.started;
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= expected.size, 240_000);
  await sleep(2_000);
  process.stdout.write(`deliverer-kills: results at each kill ${kills.join(', ')}\n`);
  expect(kills.some((at) => Number(at.split('/')[0]) < expected.size)).toBe(true);

  const results = pipeline.results();
  expect(new Set(results.map((r) => `${r.eventId}:${r.platform}`))).toEqual(expected);
  expect(results.filter((r) => r.status !== 'delivered').map((r) => `${r.platform} ${r.errorClass}`)).toEqual([]);
  const count = (platform: string) => deliveriesTo(expected, platform);
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: count('goodera'), duplicates: 0 });
  expect(benevity.stats()).toMatchObject({ accepted: count('benevity'), duplicates: 0 });
  expect(workday.stats()).toMatchObject({ accepted: count('workday'), duplicates: 0 });
}, 420_000);
