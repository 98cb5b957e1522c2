/**
 * Benevity access tokens, in memory per OAuth client: reused until shortly before they expire,
 * fetched once however many deliveries ask at the same time (single flight), and replaced once
 * when the API answers 401 with the token we hold (revoked early). Tokens never leave this
 * object except as the Authorization header; nothing here logs.
 */
import { createHash } from 'node:crypto';

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

export interface TokenClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The tenant asking (for the expiry gauge only): a token belongs to the client, whichever tenant asks. */
  readonly tenantId?: string;
}

export interface TokenCacheOptions {
  /** Requests a new token from the platform (the client-credentials grant). */
  readonly fetchToken: (client: TokenClient) => Promise<IssuedToken>;
  /** Refresh this long before expiry; capped at a tenth of the token's lifetime. */
  readonly refreshMarginMs: number;
  readonly now?: () => number;
  /**
   * Told of each token a tenant is served, once per (token, tenant): when it expires and the
   * lifetime it was issued for (the OAuth token expiry gauges, src/observability/collectors/token-expiry.ts).
   */
  readonly onToken?: (tenantId: string, expiresAt: Date, issuedForMs: number) => void;
}

interface Cached {
  readonly accessToken: string;
  /** Epoch ms after which the token is not used any more (expiry minus the margin). */
  readonly useUntil: number;
  /** Epoch ms at which the platform stops taking it. */
  readonly expiresAt: number;
  readonly lifetimeMs: number;
  /** The tenants told of it already. */
  readonly reported: Set<string>;
}

export class TokenCache {
  readonly #options: TokenCacheOptions;
  readonly #now: () => number;
  readonly #cached = new Map<string, Cached>();
  readonly #inflight = new Map<string, Promise<Cached>>();

  constructor(options: TokenCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** A token valid for a while yet: the cached one, or one fetch shared by every caller. */
  async token(client: TokenClient): Promise<string> {
    const key = cacheKey(client);
    const cached = this.#cached.get(key);
    if (cached && this.#now() < cached.useUntil) return this.#served(cached, client);
    return this.#served(await this.#fetchOnce(key, client), client);
  }

  /**
   * The API refused `rejected` (401): drop it and get another — unless a concurrent caller has
   * already replaced it, in which case that newer token is used (one refresh per revocation).
   */
  async refresh(client: TokenClient, rejected: string): Promise<string> {
    const key = cacheKey(client);
    const cached = this.#cached.get(key);
    if (cached && cached.accessToken !== rejected && this.#now() < cached.useUntil) return this.#served(cached, client);
    if (cached?.accessToken === rejected) this.#cached.delete(key);
    return this.#served(await this.#fetchOnce(key, client), client);
  }

  #served(entry: Cached, client: TokenClient): string {
    const tenantId = client.tenantId;
    if (tenantId !== undefined && this.#options.onToken && !entry.reported.has(tenantId)) {
      entry.reported.add(tenantId);
      this.#options.onToken(tenantId, new Date(entry.expiresAt), entry.lifetimeMs);
    }
    return entry.accessToken;
  }

  #fetchOnce(key: string, client: TokenClient): Promise<Cached> {
    const running = this.#inflight.get(key);
    if (running) return running;
    const fetching = (async () => {
      const issued = await this.#options.fetchToken(client);
      const lifetimeMs = issued.expiresInSeconds * 1000;
      const margin = Math.min(this.#options.refreshMarginMs, lifetimeMs / 10);
      const now = this.#now();
      const entry: Cached = { accessToken: issued.accessToken, useUntil: now + lifetimeMs - margin, expiresAt: now + lifetimeMs, lifetimeMs, reported: new Set() };
      this.#cached.set(key, entry);
      return entry;
    })().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, fetching);
    return fetching;
  }
}

/** One cache entry per client id and secret: a rotated secret gets its own token. */
function cacheKey(client: TokenClient): string {
  return `${client.clientId}\u0000${createHash('sha256').update(client.clientSecret).digest('hex')}`;
}
