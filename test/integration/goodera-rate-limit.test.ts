/**
 * What must hold: the Goodera connector keeps each API key under Goodera's per-key rate limit, as
 * the simulator counts it — it never answers 429, though the same burst without the limiter is
 * refused. The limiter is the Redis-shared token bucket; two connectors (two instances) share it.
 * Time is scaled to run fast: the simulator admits 100 requests per 6 s (Goodera's 100 per minute,
 * ten times faster) and the connectors are configured just under it (900/min = 90 per 6 s).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Dispatcher } from 'undici';
import type { DeliveryRequest } from '../../src/connectors/connector.ts';
import { createGooderaConnector } from '../../src/connectors/goodera/goodera.connector.ts';
import { idempotencyKey } from '../../src/domain/idempotency-key.ts';
import { createDispatcher } from '../../src/http/dispatcher.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createRedisRateLimiter } from '../../src/ratelimit/redis-rate-limiter.ts';
import { DEFAULT_TENANT_POLICY } from '../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { startGooderaSimulator, type GooderaSimulator } from '../../src/simulators/goodera/index.ts';
import { redactedOf } from '../unit/redacted-fixtures.ts';
import { serviceUrls } from './helpers/env.ts';

const API_KEY = 'key-acme-rate-0123456789';
let simulator: GooderaSimulator;
let dispatcher: Dispatcher;
let redis: Redis;

beforeAll(async () => {
  simulator = await startGooderaSimulator({ apiKeys: { [API_KEY]: 'acme' }, rateLimitPerMinute: 100, rateLimitWindowMs: 6_000 });
  dispatcher = createDispatcher({ connectTimeoutMs: 1_000, requestTimeoutMs: 5_000, allowPrivateHosts: true });
  redis = new Redis(serviceUrls().redisUrl);
});

afterAll(async () => {
  await dispatcher?.close();
  await simulator?.close();
  redis?.disconnect();
});

function lookups(count: number): DeliveryRequest[] {
  const { event } = redactedOf('volunteer_activity');
  return Array.from({ length: count }, (_, i) => ({
    event,
    idempotencyKey: idempotencyKey('goodera', 'acme', `${event.eventId}-${i}`, event.payload),
    credentials: { apiKey: API_KEY, organizationId: 'org-acme' },
    tenantPolicy: DEFAULT_TENANT_POLICY,
  }));
}

test('130 concurrent requests of one key from two instances: the simulator never refuses one', async () => {
  const keyPrefix = `t.ratelimit.${process.pid}.${Date.now()}:`;
  const options = { baseUrl: simulator.url, dispatcher, allowPrivateHosts: true, gate: createPreSendGate(), rateLimit: { perMinute: 900, burst: 1 } };
  // Two instances: each its own limiter object, both over the same Redis buckets.
  const instances = [0, 1].map(() =>
    createGooderaConnector({ ...options, limiter: createRedisRateLimiter(redis, { keyPrefix, logger: createLogger('silent') }) }),
  );
  const answers = await Promise.all(lookups(130).map((request, i) => instances[i % 2]!.lookup(request)));
  expect(answers.every((answer) => answer === null)).toBe(true);
  expect(simulator.stats().requests['lookup']).toEqual({ '200': 130 });
});

test('the same burst without the limiter is refused beyond the limit (the check above can fail)', async () => {
  simulator.reset();
  const unpaced = createGooderaConnector({ baseUrl: simulator.url, dispatcher, allowPrivateHosts: true, gate: createPreSendGate() });
  const outcomes = await Promise.allSettled(lookups(130).map((request) => unpaced.lookup(request)));
  expect(outcomes.filter((outcome) => outcome.status === 'rejected').length).toBeGreaterThan(0);
  expect(simulator.stats().requests['lookup']?.['429']).toBeGreaterThan(0);
});
