/**
 * Read side of tenant configuration for the hot path: the router and the deliverers ask per
 * event, so answers are cached instead of querying PostgreSQL every time — dropped as soon as
 * the tenant-change feed says the tenant changed, and after a short TTL in any case (the bound
 * while the feed is reconnecting).
 */
import type { Platform } from '../domain/platform.ts';
import type { TenantCache } from './tenant-changes.ts';
import type { TenantPlatform } from './tenant-repository.ts';

export interface TenantDirectory {
  /** Enabled platforms of the tenant, or null when the tenant is not configured at all. */
  enabledPlatforms(tenantId: string): Promise<Platform[] | null>;
  /** The tenant's configuration for one platform, or null when it has none or it is disabled. */
  platformConfig(tenantId: string, platform: Platform): Promise<TenantPlatform | null>;
}

export interface TenantSource {
  platformsOf(tenantId: string): Promise<TenantPlatform[]>;
}

export function createCachedTenantDirectory(
  source: TenantSource,
  ttlMs: number,
  now: () => number = Date.now,
): TenantDirectory & TenantCache {
  const cache = new Map<string, { at: number; rows: Promise<TenantPlatform[]> }>();
  const rowsOf = (tenantId: string) => {
    const hit = cache.get(tenantId);
    if (hit && now() - hit.at < ttlMs) return hit.rows;
    const rows = source.platformsOf(tenantId);
    cache.set(tenantId, { at: now(), rows });
    // A failed lookup must not be cached: the next event asks again.
    rows.catch(() => cache.delete(tenantId));
    return rows;
  };
  return {
    invalidate(tenantId) {
      // A lookup in flight keeps its answer for the callers that already asked; the next asks afresh.
      if (tenantId === null) cache.clear();
      else cache.delete(tenantId);
    },
    async enabledPlatforms(tenantId) {
      const rows = await rowsOf(tenantId);
      if (rows.length === 0) return null;
      return rows.filter((row) => row.enabled).map((row) => row.platform);
    },
    async platformConfig(tenantId, platform) {
      const rows = await rowsOf(tenantId);
      return rows.find((row) => row.platform === platform && row.enabled) ?? null;
    },
  };
}
