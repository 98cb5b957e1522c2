/**
 * What must hold: the Redis idempotency store's transitions are atomic and exclusive against a
 * real Redis — one owner holds a lease at a time, a final outcome is never overwritten by a
 * claim, a claim over an unknown outcome or an expired lease demands reconciliation, and an
 * unknown outcome's settle time holds the key for every claimer.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRedisIdempotencyStore } from '../../src/idempotency/redis/redis-idempotency-store.ts';
import { serviceUrls } from './helpers/env.ts';

let redis: Redis;
const prefix = `t.idem.${randomBytes(4).toString('hex')}:`;

beforeAll(() => {
  redis = new Redis(serviceUrls().redisUrl);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const store = () => createRedisIdempotencyStore(redis, { keyPrefix: prefix, ttlSeconds: 60 });

test('one lease at a time; the owner may re-claim and must then reconcile', async () => {
  const s = store();
  expect(await s.claim('k1', 'a', 5_000)).toEqual({ claimed: true, mustReconcile: false });
  const other = await s.claim('k1', 'b', 5_000);
  expect(other.claimed).toBe(false);
  expect(other.claimed === false && other.record.state).toBe('in_flight');
  expect(await s.claim('k1', 'a', 5_000)).toEqual({ claimed: true, mustReconcile: true });
});

test('20 concurrent claims: exactly one wins', async () => {
  const s = store();
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => s.claim('race', `owner-${i}`, 5_000)));
  expect(answers.filter((a) => a.claimed)).toHaveLength(1);
});

test('an expired lease is taken over with reconciliation', async () => {
  const s = store();
  await s.claim('k2', 'a', 200);
  await sleep(300);
  expect(await s.claim('k2', 'b', 5_000)).toEqual({ claimed: true, mustReconcile: true });
});

test('unknown demands reconciliation; retry does not', async () => {
  const s = store();
  await s.claim('k3', 'a', 5_000);
  await s.release('k3', 'a', 'unknown');
  expect(await s.get('k3')).toEqual({ state: 'unknown' });
  expect(await s.claim('k3', 'b', 5_000)).toEqual({ claimed: true, mustReconcile: true });
  await s.release('k3', 'b', 'retry');
  expect(await s.claim('k3', 'c', 5_000)).toEqual({ claimed: true, mustReconcile: false });
});

test('release by a non-owner changes nothing; final outcomes are never claimed over', async () => {
  const s = store();
  await s.claim('k4', 'a', 5_000);
  await s.release('k4', 'intruder', 'retry');
  expect((await s.get('k4'))?.state).toBe('in_flight');
  await s.complete('k4', { state: 'succeeded', externalRef: 'gdr_1' });
  expect(await s.claim('k4', 'b', 5_000)).toEqual({ claimed: false, record: { state: 'succeeded', externalRef: 'gdr_1' } });
  expect(await redis.ttl(`${prefix}idem:k4`)).toBeGreaterThan(50);
});

test('an unknown released with a settle time is not claimable before it, by anyone', async () => {
  const s = store();
  await s.claim('k5', 'a', 5_000);
  await s.release('k5', 'a', 'unknown', 300);
  const early = await s.claim('k5', 'b', 5_000);
  expect(early.claimed).toBe(false);
  expect(early.claimed === false && early.record).toMatchObject({ state: 'unknown', lookAfter: expect.any(Number) });
  expect(await s.claim('k5', 'a', 5_000)).toMatchObject({ claimed: false });
  await sleep(350);
  expect(await s.claim('k5', 'b', 5_000)).toEqual({ claimed: true, mustReconcile: true });
  // Without a settle time an unknown is claimable at once, as before.
  await s.release('k5', 'b', 'unknown');
  expect(await s.get('k5')).toEqual({ state: 'unknown' });
  expect(await s.claim('k5', 'c', 5_000)).toEqual({ claimed: true, mustReconcile: true });
});

