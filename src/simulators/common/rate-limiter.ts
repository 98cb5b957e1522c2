/**
 * Sliding-window rate limiter per key (an API key, a client id): at most `limit` admitted requests
 * in any `windowMs`. Only admitted requests take a slot, so a client that backs off on 429 is
 * never starved by its own rejected attempts.
 */
export interface RateLimiterOptions {
  /** Admitted requests per window; 0 disables limiting. */
  readonly limit: number;
  readonly windowMs?: number;
  /** Clock in epoch milliseconds; inject a fake in tests. */
  readonly now?: () => number;
}

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; /** Whole seconds until a slot frees, at least 1. */ readonly retryAfterSeconds: number };

export class SlidingWindowRateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #admitted = new Map<string, number[]>();

  constructor(options: RateLimiterOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 0) {
      throw new RangeError(`rate limit must be a non-negative integer, got ${options.limit}`);
    }
    this.#limit = options.limit;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Admits the request (taking a slot) or says how long to wait. */
  take(key: string): RateDecision {
    if (this.#limit === 0) return { allowed: true };
    const now = this.#now();
    const windowStart = now - this.#windowMs;
    const times = (this.#admitted.get(key) ?? []).filter((t) => t > windowStart);
    if (times.length >= this.#limit) {
      this.#admitted.set(key, times);
      // The oldest admitted request in the window is the first to leave it.
      const oldest = times[0] ?? now;
      const waitMs = oldest + this.#windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    times.push(now);
    this.#admitted.set(key, times);
    return { allowed: true };
  }

  reset(): void {
    this.#admitted = new Map();
  }
}
