import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../../src/observability/metrics.ts';
import { watchConsumerLag } from '../../../../src/observability/collectors/consumer-lag.ts';
import { watchTokenExpiry } from '../../../../src/observability/collectors/token-expiry.ts';

const metrics = () => createMetrics(new Registry(), { defaultMetrics: false });

describe('consumer lag gauge', () => {
  it('is read from the lag reader at scrape time, per group, topic and partition', async () => {
    const m = metrics();
    let lag = 3;
    watchConsumerLag(m, { read: async (group) => [{ partition: 0, lag: group === 'g.router' ? lag : 0 }, { partition: 1, lag: 0 }] }, [
      { group: 'g.router', topic: 'p.redacted' },
    ]);
    expect(await m.registry.getSingleMetricAsString('impactin_consumer_lag')).toContain('impactin_consumer_lag{group="g.router",topic="p.redacted",partition="0"} 3');
    lag = 0;
    const text = await m.registry.getSingleMetricAsString('impactin_consumer_lag');
    expect(text).toContain('partition="0"} 0');
    expect(text).toContain('partition="1"} 0');
  });

  it('keeps the last values when the reader fails', async () => {
    const m = metrics();
    watchConsumerLag(m, { read: async () => Promise.reject(new Error('broker down')) }, [{ group: 'g', topic: 't' }]);
    await expect(m.registry.metrics()).resolves.toContain('impactin_consumer_lag');
  });
});

describe('OAuth token expiry gauge', () => {
  it('counts down to the held token’s expiry at each scrape, with the issued lifetime', async () => {
    const m = metrics();
    let now = Date.parse('2026-12-01T00:00:00Z');
    const observe = watchTokenExpiry(m, () => now);
    observe('acme', 'workday', new Date('2026-12-01T01:00:00Z'), 3_600_000);
    expect(await m.registry.getSingleMetricAsString('impactin_oauth_token_expiry_seconds')).toContain('{tenant_id="acme",platform="workday"} 3600');
    expect(await m.registry.getSingleMetricAsString('impactin_oauth_token_lifetime_seconds')).toContain('{tenant_id="acme",platform="workday"} 3600');
    now += 3_700_000;
    expect(await m.registry.getSingleMetricAsString('impactin_oauth_token_expiry_seconds')).toContain('{tenant_id="acme",platform="workday"} -100');
  });
});
