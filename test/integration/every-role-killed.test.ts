/**
 * What must hold: every role — redactor, router, each deliverer (deliver:benevity also serves the
 * Benevity callback listener and polls overdue imports), and the outbox relay — each in its own
 * process, SIGKILLed once at a seeded random point of one run (once a seeded share of the
 * results owed has arrived) over all three platforms (slow answers and lost answers, so kills
 * land mid-transaction and mid-send) and started again: every
 * event reaches each platform that takes it exactly once (duplicates 0 at the simulators, by
 * business key) and the results topic holds one final result per (event, platform). Checked to
 * fail: with the look-up before a re-send skipped (both deliverers taking `connector.lookup` as
 * "not found"), the restarted deliverers sent again what their killed predecessors had sent —
 * 3 Goodera, 4 Benevity and 5 Workday business keys applied twice.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents, seededRandom } from '../../src/publisher/sample-events.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { createAllPlatforms, expectedDeliveries, type AllPlatforms } from './helpers/all-platforms.ts';
import { expectEachDeliveredOnce } from './helpers/exactly-once.ts';
import { FAULT_RUN_ENV } from './helpers/fault-run.ts';
import { freePort } from './helpers/redis-process.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const EVENTS = 240;
const ROLES = ['redactor', 'router', 'deliver:goodera', 'deliver:benevity', 'deliver:workday', 'relay'] as const;
let world: AllPlatforms;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  world = await createAllPlatforms(
    'role-kills',
    {
      ...FAULT_RUN_ENV,
      // One callback port across restarts of deliver:benevity (imports carry the URL).
      BENEVITY_CALLBACK_PORT: String(await freePort()),
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

async function startRole(role: string): Promise<ServiceProcess> {
  const service = spawnService(`role-kills-${role.replace(':', '-')}`, world.pipeline.scenario.env, role);
  services.push(service);
  await service.started;
  return service;
}

test('each role SIGKILLed once mid-run and restarted: each (event, platform) exactly once', async () => {
  const { pipeline, benevity, workday } = world;
  for (const sim of [pipeline.goodera, benevity, workday]) {
    sim.injectFault([
      { route: '*', kind: 'latency', ms: 40 },
      { route: '*', kind: 'applied_response_lost', probability: 0.05 },
    ]);
  }
  const running = new Map<string, ServiceProcess>();
  for (const role of ROLES) running.set(role, await startRole(role));
  // Events in waves, one before each kill, so every kill meets work in flight.
  const events = sampleEvents(EVENTS, { tenants: TENANTS, seed: 1606, now: new Date() });
  const wave = Math.ceil(EVENTS / ROLES.length);
  const expected = new Set<string>();

  const random = seededRandom(1606);
  const order: string[] = [...ROLES];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const kills: { role: string; results: number; expected: number }[] = [];
  for (const [n, role] of order.entries()) {
    const batch = events.slice(n * wave, (n + 1) * wave);
    const ids = await pipeline.publisher.publishImpactEvents(batch);
    for (const key of expectedDeliveries(batch, ids)) expected.add(key);
    // Killed once a seeded share (10–60 %) of what is owed has arrived: mid-run whatever the
    // machine's pace (a fixed sleep let a fast run finish the last wave before its kill).
    const before = pipeline.results().length;
    const target = before + Math.max(1, Math.floor((expected.size - before) * (0.1 + random() * 0.5)));
    await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= target, 120_000);
    const victim = running.get(role)!;
    victim.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    kills.push({ role, results: pipeline.results().length, expected: expected.size });
    running.set(role, await startRole(role));
  }
  process.stdout.write(`role-kills: ${kills.map((k) => `${k.role}@${k.results}/${k.expected}`).join(', ')}\n`);
  // Every kill landed mid-run: results were still owed when it came.
  for (const kill of kills) expect(kill.results, kill.role).toBeLessThan(kill.expected);

  await expectEachDeliveredOnce(world, expected, 'role-kills', 300_000);
}, 480_000);
