/**
 * The OAuth token expiry gauges, fed by the token store's `onToken` hook (every token this process
 * stores or first reads) and recomputed at each scrape, so seconds-to-expiry falls between refreshes.
 */
import type { Metrics } from '../metrics.ts';

export type TokenObserver = (tenantId: string, platform: string, expiresAt: Date, issuedForMs?: number) => void;

export function watchTokenExpiry(metrics: Metrics, now: () => number = Date.now): TokenObserver {
  const held = new Map<string, { tenant_id: string; platform: string; expiresAt: number }>();
  metrics.onScrape(() => {
    for (const token of held.values()) {
      metrics.tokenExpirySeconds.set({ tenant_id: token.tenant_id, platform: token.platform }, (token.expiresAt - now()) / 1000);
    }
  });
  return (tenantId, platform, expiresAt, issuedForMs) => {
    held.set(`${tenantId}\u0000${platform}`, { tenant_id: tenantId, platform, expiresAt: expiresAt.getTime() });
    if (issuedForMs !== undefined) metrics.tokenLifetimeSeconds.set({ tenant_id: tenantId, platform }, issuedForMs / 1000);
  };
}
