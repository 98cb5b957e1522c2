/**
 * Tenant configuration changes as a process hears of them, and the caches that drop what changed.
 * The feed is PostgreSQL's (src/db/tenant-change-feed.ts); a listener gets the tenant id, or null
 * when anything may have changed (the feed was interrupted, or the tables were truncated).
 */
export type TenantChangeListener = (tenantId: string | null) => void;

export interface TenantChangeFeed {
  /** Calls `listener` on each change from now on; returns the unsubscribe. */
  subscribe(listener: TenantChangeListener): () => void;
  /** Opens the connection (a failure is retried in the background: start never rejects). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A cache of per-tenant answers that can be told a tenant changed (null: every tenant). */
export interface TenantCache {
  invalidate(tenantId: string | null): void;
}
