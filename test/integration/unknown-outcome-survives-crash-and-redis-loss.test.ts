/**
 * What must hold: a send whose answer was lost stays "may have landed" in PostgreSQL, so even when
 * the process that sent it is killed AND Redis loses what it knew (restarted empty), the next
 * process looks the records up before sending: nothing reaches the platform twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { GOODERA_ROUTES } from '../../src/simulators/goodera/goodera.routes.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { redisProcess, type RedisProcess } from './helpers/redis-process.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let redis: RedisProcess;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  redis = await redisProcess();
  await redis.start();
  pipeline = await createPipeline('unsettled', {
    REDIS_URL: redis.url,
    // The failing lookups below are not what this scenario is about: keep the breaker closed.
    BREAKER_FAILURE_THRESHOLD: '90',
    DELIVERY_MAX_ATTEMPTS: '100',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
  });
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await redis?.stop();
  await pipeline?.close();
});

async function metric(port: number, pattern: RegExp): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  return Number(pattern.exec(text)?.[1] ?? 0);
}

test('lost answer, process killed, Redis emptied: the records are looked up, not sent again', async () => {
  // One employee: one ordering key, so one partition — while the lost send is unsettled the later
  // events of its key wait behind it, and what Goodera applied is exactly what was lost (other
  // keys on other partitions would be delivered meanwhile and muddy the count below).
  const events = sampleEvents(5, { tenants: ['acme'], seed: 41, now: new Date(), employeesPerTenant: 1 });
  // Goodera applies the first batch but its answer is lost; every lookup fails meanwhile, so the
  // deliverer cannot settle what it sent.
  pipeline.goodera.injectFault([
    { route: GOODERA_ROUTES.batch, kind: 'applied_response_lost', count: 1 },
    { route: GOODERA_ROUTES.lookup, kind: 'status', status: 503 },
  ]);
  const first = spawnService('unsettled.1', pipeline.scenario.env);
  services.push(first);
  const port = await first.started;
  const ids = await pipeline.publisher.publishImpactEvents(events);

  const deadline = Date.now() + 60_000;
  const failedLookups = /impactin_reconciliations_total\{platform="goodera",found="error"\} (\d+)/;
  while ((pipeline.goodera.stats().accepted === 0 || (await metric(port, failedLookups)) === 0) && Date.now() < deadline) await sleep(100);
  const applied = pipeline.goodera.stats().accepted;
  expect(applied).toBeGreaterThan(0);
  expect(await metric(port, failedLookups)).toBeGreaterThan(0);
  const marked = await pipeline.scenario.db.selectFrom('unsettled_sends').select('event_id').execute();
  expect(marked).toHaveLength(applied);

  // The process dies with the outcome unknown, and Redis loses everything it knew.
  first.kill('SIGKILL');
  await redis.stop();
  await redis.start();
  pipeline.goodera.clearFaults();

  const second = spawnService('unsettled.2', pipeline.scenario.env);
  services.push(second);
  await second.started;
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= ids.length, 90_000);

  expect(new Set(pipeline.results().map((r) => r.eventId))).toEqual(new Set(ids));
  expect(pipeline.results().every((r) => r.status === 'delivered')).toBe(true);
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: ids.length, distinctKeys: ids.length, duplicates: 0 });
  expect(await pipeline.scenario.db.selectFrom('unsettled_sends').select('event_id').execute()).toHaveLength(0);
}, 150_000);
