/**
 * What must hold: two Benevity connectors (two instances) share one adaptive bucket per tenant's
 * OAuth client in Redis — a 429 from Benevity blocks that bucket for its Retry-After and halves its
 * rate for both, every donation of a 429 storm still lands exactly once when retried, and the rate
 * climbs back to the configured one as requests are granted again.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBenevityConnector, type BenevityConnector } from '../../src/connectors/benevity/benevity.connector.ts';
import type { DeliveryRequest } from '../../src/connectors/connector.ts';
import { idempotencyKey } from '../../src/domain/idempotency-key.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { createDispatcher } from '../../src/http/dispatcher.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createRedisRateLimiter } from '../../src/ratelimit/redis-rate-limiter.ts';
import { DEFAULT_TENANT_POLICY } from '../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { contactBox, redactedOf } from '../unit/redacted-fixtures.ts';
import { serviceUrls } from './helpers/env.ts';

const CREDENTIALS = { clientId: 'client-acme-rl', clientSecret: 'secret-acme-0123', callbackSecret: 'callback-secret-acme-0123456789' };
const LIMIT = { perMinute: 6_000, burst: 5 };
let simulator: BenevitySimulator;
let dispatcher: Dispatcher;
let redis: Redis;

beforeAll(async () => {
  simulator = await startBenevitySimulator({ clients: { [CREDENTIALS.clientId]: CREDENTIALS.clientSecret } });
  dispatcher = createDispatcher({ connectTimeoutMs: 1_000, requestTimeoutMs: 5_000, allowPrivateHosts: true });
  redis = new Redis(serviceUrls().redisUrl);
});

afterAll(async () => {
  await dispatcher?.close();
  await simulator?.close();
  redis?.disconnect();
});

function donation(): DeliveryRequest {
  const event = { ...redactedOf('donation').event, eventId: randomUUID() } as RedactedEvent;
  return { event, idempotencyKey: idempotencyKey('benevity', event.tenantId, event.eventId, event.payload), credentials: CREDENTIALS, tenantPolicy: DEFAULT_TENANT_POLICY };
}

/** Delivers, retrying what a deliverer would retry (the 429s), until it lands. */
async function deliverRetrying(connector: BenevityConnector, request: DeliveryRequest): Promise<void> {
  for (;;) {
    try {
      await connector.deliver(request);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'PLATFORM_RATE_LIMITED') throw error;
    }
  }
}

test('a 429 storm slows the shared bucket of the client for both instances; the rate recovers', async () => {
  const keyPrefix = `t.benevityrl.${process.pid}.${Date.now()}:`;
  const instances = [0, 1].map(() =>
    createBenevityConnector({
      baseUrl: simulator.url,
      dispatcher,
      allowPrivateHosts: true,
      gate: createPreSendGate(),
      contactBox,
      callbackUrl: (tenant) => `http://127.0.0.1:9/callbacks/benevity/${tenant}`,
      tokenRefreshMarginMs: 60_000,
      importSettleMs: 0,
      limiter: createRedisRateLimiter(redis, { keyPrefix, logger: createLogger('silent') }),
      rateLimit: LIMIT,
    }),
  );
  const bucket = async () => {
    const keys = await redis.keys(`${keyPrefix}rl:*`);
    expect(keys).toHaveLength(1); // one bucket for the client, whichever instance asked
    const [seconds, micros] = await redis.time();
    const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    return { perMinute: Number(await redis.hget(keys[0]!, 'rate')) * 60_000, blockedForMs: Number(await redis.hget(keys[0]!, 'blocked')) - nowMs };
  };

  // One 429 to the first instance: the shared bucket is blocked for its Retry-After and slowed.
  simulator.injectFault({ route: 'donation', kind: 'status', status: 429, retryAfterSeconds: 2, count: 1 });
  await expect(instances[0]!.deliver(donation())).rejects.toMatchObject({ code: 'PLATFORM_RATE_LIMITED' });
  const slowed = await bucket();
  process.stdout.write(`benevity-rate-limit: after a 429 ${JSON.stringify(slowed)} (configured ${LIMIT.perMinute}/min)\n`);
  expect(slowed.perMinute).toBe(LIMIT.perMinute / 2);
  expect(slowed.blockedForMs).toBeGreaterThan(0);

  // A storm over both instances: every donation still lands once when retried.
  simulator.injectFault({ route: 'donation', kind: 'status', status: 429, retryAfterSeconds: 1, count: 6 });
  const storm = Array.from({ length: 10 }, donation);
  await Promise.all(storm.map((request, i) => deliverRetrying(instances[i % 2]!, request)));
  expect(simulator.stats().requests['donation']).toMatchObject({ '429': 7, '201': 10 });

  // No more 429s: each grant adds back a twentieth of the configured rate.
  const calm = Array.from({ length: 39 }, donation);
  for (const [i, request] of calm.entries()) await deliverRetrying(instances[i % 2]!, request);
  expect((await bucket()).perMinute).toBe(LIMIT.perMinute);
  expect(simulator.stats()).toMatchObject({ accepted: 10 + 39, duplicates: 0 }); // the first one was refused, not retried
}, 120_000);
