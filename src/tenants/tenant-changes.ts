/**
 * A cache of per-tenant answers that can be told a tenant changed. What tells it is the
 * tenant-change feed (src/db/tenant-change-feed.ts, PostgreSQL's LISTEN/NOTIFY): the tenant id,
 * or null when anything may have changed (the feed was interrupted, or the tables were truncated).
 */
export interface TenantCache {
  invalidate(tenantId: string | null): void;
}
