/**
 * Goodera's `ready` (undici MockAgent, a recording limiter): it takes the API key's rate-limit
 * token ahead of the request, and the next request of that key uses the token instead of taking
 * another — so a batching caller that waits for `ready` and then fills the request spends one
 * token per request, as a plain call does.
 */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createGooderaConnector } from '../../../../src/connectors/goodera/goodera.connector.ts';
import type { DeliveryRequest } from '../../../../src/connectors/connector.ts';
import type { RateLimiter } from '../../../../src/ratelimit/rate-limiter.ts';
import { DEFAULT_TENANT_POLICY } from '../../../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../../../src/redaction/pre-send-gate.ts';
import { redactedOf } from '../../redacted-fixtures.ts';

const ORIGIN = 'https://goodera.test';
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
    async tryAcquire(bucket) {
      calls.push(`take ${bucket}`);
      return 0;
    },
    async penalize(bucket) {
      calls.push(`penalize ${bucket}`);
    },
  };
  return { limiter, calls };
}

function requestOf(apiKey: string): DeliveryRequest {
  const { event } = redactedOf('program_enrolment');
  return { event, idempotencyKey: `key-${event.eventId}`, credentials: { apiKey, organizationId: 'org-acme' }, tenantPolicy: DEFAULT_TENANT_POLICY };
}

test('ready takes the key’s token once; the next request of that key uses it, the one after takes its own', async () => {
  const { limiter, calls } = recordingLimiter();
  const goodera = createGooderaConnector({ baseUrl: ORIGIN, dispatcher: agent, allowPrivateHosts: false, gate: createPreSendGate(), limiter });
  agent.get(ORIGIN).intercept({ path: '/v1/impact-records/batch', method: 'POST' }).reply(207, { results: [] }).times(2);
  const request = requestOf('gd-key-acme-0001');
  await goodera.ready!(request);
  expect(calls).toHaveLength(1);
  // The body is outside the contract (no result for the record): what matters here is the tokens.
  await expect(goodera.deliverBatch([request])).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  expect(calls).toHaveLength(1);
  await expect(goodera.deliverBatch([request])).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  expect(calls).toHaveLength(2);
  // A token taken for one key is not spent by another.
  const other = requestOf('gd-key-globex-0001');
  await goodera.ready!(request);
  agent.get(ORIGIN).intercept({ path: '/v1/impact-records/batch', method: 'POST' }).reply(207, { results: [] });
  await expect(goodera.deliverBatch([other])).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  const buckets = calls.map((call) => call.split(' ')[1]);
  expect(buckets[2]).toBe(buckets[0]);
  expect(buckets[3]).not.toBe(buckets[0]);
});

test('without a limiter ready resolves at once and takes nothing', async () => {
  const goodera = createGooderaConnector({ baseUrl: ORIGIN, dispatcher: agent, allowPrivateHosts: false, gate: createPreSendGate() });
  await expect(goodera.ready!(requestOf('gd-key-acme-0001'))).resolves.toBeUndefined();
});
