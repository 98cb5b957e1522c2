/**
 * Benevity's OAuth tokens — held in the connector's memory, not in PostgreSQL — feed the token
 * expiry gauges per tenant (undici MockAgent for the platform, a fixed clock): seconds-to-expiry
 * counts down between scrapes, and a new token (after expiry or a 401) resets it.
 */
import { Registry } from 'prom-client';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { watchTokenExpiry } from '../../../../src/observability/collectors/token-expiry.ts';
import { createMetrics } from '../../../../src/observability/metrics.ts';
import { benevityConnector, donationRequest, ORIGIN } from './connector-fixture.ts';

let agent: MockAgent;
let clock: number;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  clock = Date.parse('2026-12-01T00:00:00Z');
});
afterEach(async () => {
  await agent.close();
});

function setup() {
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  const benevity = benevityConnector(agent, { tokenRefreshMarginMs: 60_000, now: () => clock, onToken: watchTokenExpiry(metrics, () => clock) });
  const gauge = async (name = 'impactin_oauth_token_expiry_seconds') => metrics.registry.getSingleMetricAsString(name);
  return { benevity, gauge };
}

const donation = (tenantId: string) => donationRequest(`client-${tenantId}`, tenantId);

function issueTokens(...lifetimesSeconds: number[]) {
  const pool = agent.get(ORIGIN);
  lifetimesSeconds.forEach((seconds, i) =>
    pool.intercept({ path: '/oauth2/token', method: 'POST' }).reply(200, { access_token: `token-${i + 1}`, token_type: 'Bearer', expires_in: seconds }),
  );
}

/** The donation call answers 503: the delivery fails, but only after a token was served for it. */
function donationsUnavailable(times: number) {
  agent.get(ORIGIN).intercept({ path: '/v1/donations', method: 'POST' }).reply(503, { error: 'unavailable' }).times(times);
}

test('a token served to a tenant sets its seconds-to-expiry and lifetime, falling at each scrape', async () => {
  issueTokens(3600);
  donationsUnavailable(2);
  const { benevity, gauge } = setup();
  await benevity.deliver(donation('acme')).catch(() => undefined);
  expect(await gauge()).toContain('impactin_oauth_token_expiry_seconds{tenant_id="acme",platform="benevity"} 3600');
  expect(await gauge('impactin_oauth_token_lifetime_seconds')).toContain('{tenant_id="acme",platform="benevity"} 3600');
  clock += 600_000;
  await benevity.deliver(donation('acme')).catch(() => undefined);
  expect(await gauge()).toContain('{tenant_id="acme",platform="benevity"} 3000');
});

test('each tenant has its own series; a new token after expiry resets it', async () => {
  issueTokens(3600, 1800, 7200);
  donationsUnavailable(3);
  const { benevity, gauge } = setup();
  await benevity.deliver(donation('acme')).catch(() => undefined);
  await benevity.deliver(donation('globex')).catch(() => undefined);
  let text = await gauge();
  expect(text).toContain('{tenant_id="acme",platform="benevity"} 3600');
  expect(text).toContain('{tenant_id="globex",platform="benevity"} 1800');
  // Past the refresh margin of acme's token: the next delivery fetches a new one.
  clock += 3_590_000;
  await benevity.deliver(donation('acme')).catch(() => undefined);
  text = await gauge();
  expect(text).toContain('{tenant_id="acme",platform="benevity"} 7200');
  expect(text).toContain('{tenant_id="globex",platform="benevity"} -1790');
});

test('a token refreshed after a 401 is the one the gauge follows', async () => {
  issueTokens(3600, 900);
  const pool = agent.get(ORIGIN);
  pool.intercept({ path: '/v1/donations', method: 'POST' }).reply(401, { error: 'invalid_token' });
  pool.intercept({ path: '/v1/donations', method: 'POST' }).reply(503, { error: 'unavailable' });
  const { benevity, gauge } = setup();
  await benevity.deliver(donation('acme')).catch(() => undefined);
  expect(await gauge()).toContain('{tenant_id="acme",platform="benevity"} 900');
});
