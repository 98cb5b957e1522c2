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
}

export interface TokenCacheOptions {
  /** Requests a new token from the platform (the client-credentials grant). */
  readonly fetchToken: (client: TokenClient) => Promise<IssuedToken>;
  /** Refresh this long before expiry; capped at a tenth of the token's lifetime. */
  readonly refreshMarginMs: number;
  readonly now?: () => number;
}

interface Cached {
  readonly accessToken: string;
  /** Epoch ms after which the token is not used any more (expiry minus the margin). */
  readonly useUntil: number;
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
    if (cached && this.#now() < cached.useUntil) return cached.accessToken;
    return (await this.#fetchOnce(key, client)).accessToken;
  }

  /**
   * The API refused `rejected` (401): drop it and get another — unless a concurrent caller has
   * already replaced it, in which case that newer token is used (one refresh per revocation).
   */
  async refresh(client: TokenClient, rejected: string): Promise<string> {
    const key = cacheKey(client);
    const cached = this.#cached.get(key);
    if (cached && cached.accessToken !== rejected && this.#now() < cached.useUntil) return cached.accessToken;
    if (cached?.accessToken === rejected) this.#cached.delete(key);
    return (await this.#fetchOnce(key, client)).accessToken;
  }

  #fetchOnce(key: string, client: TokenClient): Promise<Cached> {
    const running = this.#inflight.get(key);
    if (running) return running;
    const fetching = (async () => {
      const issued = await this.#options.fetchToken(client);
      const lifetimeMs = issued.expiresInSeconds * 1000;
      const margin = Math.min(this.#options.refreshMarginMs, lifetimeMs / 10);
      const entry: Cached = { accessToken: issued.accessToken, useUntil: this.#now() + lifetimeMs - margin };
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
