/**
 * The Benevity connector under its rate limiter (undici MockAgent, a recording limiter): every API
 * call first takes a token from its OAuth client's bucket, each tenant's client has its own bucket,
 * and a 429 penalizes that bucket for the Retry-After it names. The bucket semantics themselves
 * (back-off and recovery) are rate-limiter.test.ts's.
 */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { RateLimit, RateLimiter } from '../../../../src/ratelimit/rate-limiter.ts';
import { benevityConnector, donationRequest, ORIGIN } from './connector-fixture.ts';

const LIMIT: RateLimit = { perMinute: 600, burst: 3 };
let agent: MockAgent;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});
afterEach(async () => {
  await agent.close();
});

function recordingLimiter() {
  const calls: string[] = [];
  const limiter: RateLimiter = {
    async tryAcquire(bucket, limit) {
      expect(limit).toEqual(LIMIT);
      calls.push(`take ${bucket}`);
      return 0;
    },
    async penalize(bucket, _limit, retryAfterMs) {
      calls.push(`penalize ${bucket} ${retryAfterMs}`);
    },
  };
  return { limiter, calls };
}

const connector = (limiter: RateLimiter) => benevityConnector(agent, { limiter, rateLimit: LIMIT });
const donation = (clientId: string) => donationRequest(clientId);

function answerTokens() {
  agent
    .get(ORIGIN)
    .intercept({ path: '/oauth2/token', method: 'POST' })
    .reply(200, { access_token: 'token-1', token_type: 'Bearer', expires_in: 3600 })
    .persist();
}

test('a 429 penalizes the client bucket for its Retry-After; the next call takes a token again', async () => {
  answerTokens();
  const pool = agent.get(ORIGIN);
  pool.intercept({ path: '/v1/donations', method: 'POST' }).reply(429, { error: 'rate_limited' }, { headers: { 'retry-after': '7' } });
  pool.intercept({ path: '/v1/donations', method: 'POST' }).reply(429, { error: 'rate_limited' }, { headers: { 'retry-after': '2' } });
  const { limiter, calls } = recordingLimiter();
  const benevity = connector(limiter);
  await expect(benevity.deliver(donation('client-acme'))).rejects.toMatchObject({ code: 'PLATFORM_RATE_LIMITED' });
  await expect(benevity.deliver(donation('client-acme'))).rejects.toMatchObject({ code: 'PLATFORM_RATE_LIMITED' });
  const bucket = calls[0]!.split(' ')[1]!;
  expect(bucket).toMatch(/^benevity:[0-9a-f]{24}$/);
  expect(bucket).not.toContain('client-acme');
  expect(calls).toEqual([`take ${bucket}`, `penalize ${bucket} 7000`, `take ${bucket}`, `penalize ${bucket} 2000`]);
});

test("each tenant's OAuth client has its own bucket", async () => {
  answerTokens();
  const pool = agent.get(ORIGIN);
  pool.intercept({ path: '/v1/donations', method: 'POST' }).reply(429, {}, { headers: { 'retry-after': '1' } }).times(2);
  const { limiter, calls } = recordingLimiter();
  const benevity = connector(limiter);
  await benevity.deliver(donation('client-acme')).catch(() => undefined);
  await benevity.deliver(donation('client-globex')).catch(() => undefined);
  const buckets = calls.filter((call) => call.startsWith('take')).map((call) => call.split(' ')[1]);
  expect(buckets).toHaveLength(2);
  expect(new Set(buckets).size).toBe(2);
});
