/**
 * What must hold: Redis stopped in the middle of a run and started again (empty) loses nothing and
 * doubles nothing. While it is down every send is preceded by a platform lookup and PostgreSQL's
 * delivery row stays the record of truth; the degradation shows in the metrics and goes away.
 * The scenario runs its own redis-server, so the shared one is never touched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { redisProcess, type RedisProcess } from './helpers/redis-process.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;
let redis: RedisProcess;

async function metric(servicePort: number, pattern: RegExp): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${servicePort}/metrics`).then((r) => r.text());
  return Number(pattern.exec(text)?.[1] ?? NaN);
}

beforeAll(async () => {
  redis = await redisProcess();
  await redis.start();
  pipeline = await createPipeline('redis-down', {
    REDIS_URL: redis.url,
    GOODERA_BATCH_SIZE: '5',
    // The lost answers below would trip Goodera's breaker (5 in 10 s) and pause it through the
    // window this scenario watches; the breaker has its own scenario.
    BREAKER_FAILURE_THRESHOLD: '30',
    DELIVERY_MAX_ATTEMPTS: '31',
  });
});

afterAll(async () => {
  await service?.stop();
  await redis?.stop();
  await pipeline?.close();
});

test('Redis killed mid-run and restarted empty: every event once, none lost', async () => {
  // Slow, lossy platform: a send whose answer is lost must be looked up, Redis or not.
  pipeline.goodera.injectFault({ route: 'batch', kind: 'latency', ms: 100 });
  pipeline.goodera.injectFault({ route: 'batch', kind: 'applied_response_lost', probability: 0.1 });
  service = spawnService('redis-down', pipeline.scenario.env);
  const servicePort = await service.started;
  const ids = await pipeline.publisher.publishImpactEvents(sampleEvents(150, { tenants: TENANTS, seed: 17, now: new Date() }));
  const deadline = Date.now() + 60_000;
  while (pipeline.goodera.stats().accepted < 30 && Date.now() < deadline) await sleep(20);

  await redis.stop();
  const degraded = /impactin_degraded\{component="idempotency"\} (\d+)/;
  while ((await metric(servicePort, degraded)) !== 1 && Date.now() < deadline) await sleep(100);
  expect(await metric(servicePort, degraded)).toBe(1);
  // Delivery goes on without Redis (slower: every record is looked up first, and each lookup takes
  // a rate-limit token of its API key).
  const acceptedWhileDown = pipeline.goodera.stats().accepted;
  const goesOn = Date.now() + 60_000;
  while (pipeline.goodera.stats().accepted <= acceptedWhileDown && Date.now() < goesOn) await sleep(100);
  expect(pipeline.goodera.stats().accepted).toBeGreaterThan(acceptedWhileDown);
  expect(await metric(servicePort, degraded)).toBe(1);

  await redis.start();
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 150, 120_000);
  expect(new Set(pipeline.results().map((r) => r.eventId))).toEqual(new Set(ids));
  expect(pipeline.results().every((r) => r.status === 'delivered')).toBe(true);
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: 150, distinctKeys: 150, duplicates: 0 });
  const recovered = Date.now() + 30_000;
  while ((await metric(servicePort, degraded)) !== 0 && Date.now() < recovered) await sleep(200);
  expect(await metric(servicePort, degraded)).toBe(0);
});
