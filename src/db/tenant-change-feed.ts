/**
 * The tenant-change feed: one PostgreSQL connection per process LISTENing on the channel the
 * trigger of migration 2026_12_07_1801 notifies, so a changed credential, a disabled platform or
 * a new deny-list applies at the next event instead of after the caches' TTL.
 *
 * A lost connection (PostgreSQL restarting, a network cut) is re-opened with back-off; changes
 * made while it was down were not heard, so every cached tenant is dropped once it is back
 * (`onChange(null)`). Until then the caches' TTL still bounds how stale an answer can be.
 */
import pg from 'pg';
import { pgConnectionOptions, type DatabaseConnection } from './database.ts';

export const TENANT_CHANGES_CHANNEL = 'impact_in_tenant_changes';

/** Told of each change: the tenant id, or null when anything may have changed. */
export type TenantChangeListener = (tenantId: string | null) => void;

export interface TenantChangeFeed {
  /** Calls `listener` on each change from now on; returns the unsubscribe. */
  subscribe(listener: TenantChangeListener): () => void;
  /** Opens the connection (a failure is retried in the background: start never rejects). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface TenantChangeFeedOptions {
  /** First wait before re-opening a lost connection; doubles up to `maxRetryMs`. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  readonly onError?: (error: Error) => void;
}

export function listenForTenantChanges(connection: DatabaseConnection, options: TenantChangeFeedOptions = {}): TenantChangeFeed {
  const listeners = new Set<TenantChangeListener>();
  const emit = (tenantId: string | null) => {
    for (const listener of listeners) listener(tenantId);
  };
  const firstRetry = options.retryMs ?? 1_000;
  let retry = firstRetry;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let connected: Promise<void> | undefined;
  let heardBefore = false;

  const lost = (from: pg.Client, error?: Error) => {
    if (client !== from) return;
    client = undefined;
    if (error) options.onError?.(error);
    from.end().catch(() => undefined);
    schedule();
  };
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void open();
    }, retry);
    timer.unref();
    retry = Math.min(retry * 2, options.maxRetryMs ?? 30_000);
  };
  const open = async () => {
    const next = new pg.Client({ ...pgConnectionOptions(connection), application_name: 'impact-in tenant changes' });
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next));
    next.on('notification', (message) => {
      if (message.channel === TENANT_CHANGES_CHANNEL) emit(message.payload ? message.payload : null);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${TENANT_CHANGES_CHANNEL}`);
    } catch (error) {
      options.onError?.(error as Error);
      next.end().catch(() => undefined);
      schedule();
      return;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    retry = firstRetry;
    // Changes while no connection listened were not heard: everything cached may be stale.
    if (heardBefore) emit(null);
    heardBefore = true;
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      connected ??= open();
      return connected;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const open = client;
      client = undefined;
      await open?.end().catch(() => undefined);
    },
  };
}
