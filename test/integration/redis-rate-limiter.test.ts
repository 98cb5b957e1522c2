/**
 * What must hold: rate limits are shared by every instance through Redis — two instances with
 * their own connections draw from one bucket per (platform, tenant); a 429 seen by one slows
 * both; and with Redis unreachable each instance goes on limiting by itself (paced, not stopped)
 * and says it is degraded.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { createRedisRateLimiter } from '../../src/ratelimit/redis-rate-limiter.ts';
import { serviceUrls } from './helpers/env.ts';

const logger = createLogger('silent');
const keyPrefix = `t.${randomUUID().slice(0, 8)}.`;
let a: Redis;
let b: Redis;

beforeAll(() => {
  a = new Redis(serviceUrls().redisUrl);
  b = new Redis(serviceUrls().redisUrl);
});

afterAll(async () => {
  const keys = await a.keys(`${keyPrefix}*`);
  if (keys.length > 0) await a.del(...keys);
  a.disconnect();
  b.disconnect();
});

test('two instances share one bucket per tenant', async () => {
  const first = createRedisRateLimiter(a, { keyPrefix, logger });
  const second = createRedisRateLimiter(b, { keyPrefix, logger });
  // 10 tokens, refilling one a minute: within this test only the burst is available.
  const limit = { perMinute: 1, burst: 10 };
  const tries = await Promise.all(
    Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? first : second).tryAcquire('goodera:acme', limit)),
  );
  expect(tries.filter((wait) => wait === 0)).toHaveLength(10);
  // The refused ones are told to wait about a minute for the next token.
  for (const wait of tries.filter((w) => w > 0)) expect(wait).toBeGreaterThan(50_000);
  // Another tenant has its own bucket.
  expect(await second.tryAcquire('goodera:globex', limit)).toBe(0);
});

test('a 429 seen by one instance blocks the bucket for both, for its Retry-After', async () => {
  const first = createRedisRateLimiter(a, { keyPrefix, logger });
  const second = createRedisRateLimiter(b, { keyPrefix, logger });
  const limit = { perMinute: 6_000, burst: 5 };
  expect(await second.tryAcquire('goodera:initech', limit)).toBe(0);
  await first.penalize('goodera:initech', limit, 30_000);
  const wait = await second.tryAcquire('goodera:initech', limit);
  expect(wait).toBeGreaterThan(25_000);
  expect(wait).toBeLessThanOrEqual(30_000);
  const state = await a.hgetall(`${keyPrefix}rl:goodera:initech`);
  // Half the configured 100 per second, in tokens per ms.
  expect(Number(state.rate)).toBeCloseTo(0.05, 6);
});

test('Redis unreachable: limits per instance, reports the degradation, recovers', async () => {
  // Nothing listens on port 1: every command fails fast.
  const down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  const states: boolean[] = [];
  const limiter = createRedisRateLimiter(down, { keyPrefix, logger, onDegraded: (d) => states.push(d) });
  const limit = { perMinute: 1, burst: 3 };
  const tries = [];
  for (let i = 0; i < 5; i++) tries.push(await limiter.tryAcquire('goodera:hooli', limit));
  expect(tries.filter((w) => w === 0)).toHaveLength(3);
  expect(states).toEqual([true]);
  down.disconnect();

  // The same limiter over a live connection reports recovery on its first answer.
  const flaky = { eval: (...args: Parameters<Redis['eval']>) => (healthy ? a.eval(...args) : Promise.reject(new Error('ECONNREFUSED'))) };
  let healthy = false;
  const recovering = createRedisRateLimiter(flaky as Pick<Redis, 'eval'>, { keyPrefix, logger, onDegraded: (d) => states.push(d) });
  await recovering.tryAcquire('goodera:umbrella', limit);
  healthy = true;
  expect(await recovering.tryAcquire('goodera:umbrella', limit)).toBe(0);
  expect(states).toEqual([true, true, false]);
});
