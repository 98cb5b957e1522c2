/**
 * Rate limits per platform and bucket (a tenant, or the API key a tenant uses), as token buckets:
 * `perMinute` tokens refill evenly, at most `burst` held. Goodera's 100 requests/min per key is
 * `{ perMinute: 100, burst: 1 }` — one request every 600 ms.
 *
 * Adaptive: a 429 from the platform empties the bucket, blocks it for its Retry-After (nothing
 * refills meanwhile) and halves the refill rate (never below a tenth of the configured one); every granted request then adds back a
 * twentieth of the configured rate, so the limit recovers within ~20 requests once the platform
 * stops pushing back.
 *
 * This file holds the port and the in-process bucket; redis-rate-limiter.ts shares the buckets
 * across instances and falls back to this one while Redis is unreachable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { assertSendWindowOpen } from '../http/send-window.ts';

export interface RateLimit {
  readonly perMinute: number;
  readonly burst: number;
}

export interface RateLimiter {
  /** 0 if a request for `bucket` may go now (a token is taken), else the ms to wait first. */
  tryAcquire(bucket: string, limit: RateLimit): Promise<number>;
  /** The platform answered 429: no request for `retryAfterMs`, and a slower refill for a while. */
  penalize(bucket: string, limit: RateLimit, retryAfterMs: number): Promise<void>;
}

/** Slowest the adaptive rate goes, as a fraction of the configured rate. */
export const MIN_RATE_FRACTION = 0.1;
/** What each granted request adds back to a lowered rate, as a fraction of the configured rate. */
export const RECOVERY_FRACTION = 0.05;

/**
 * Waits for a token: returns the milliseconds spent waiting (0 if none), or throws on abort. With
 * `sendBy` (the write's send window, src/http/send-window.ts) it waits at most until then and
 * throws SendWindowClosedError without taking a token: the caller claims its key again and waits on.
 */
export async function acquire(limiter: RateLimiter, bucket: string, limit: RateLimit, signal?: AbortSignal, sendBy?: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    signal?.throwIfAborted();
    assertSendWindowOpen(sendBy);
    const wait = await limiter.tryAcquire(bucket, limit);
    if (wait <= 0) return Date.now() - started;
    const until = sendBy === undefined ? wait : Math.min(wait, Math.max(1, sendBy - Date.now() + 1));
    await sleep(until, undefined, signal ? { signal } : undefined);
  }
}

/** Reports every wait a limiter imposes (bucket, ms), e.g. to a histogram; the answers are unchanged. */
export function instrumentRateLimiter(limiter: RateLimiter, onWait: (bucket: string, waitMs: number) => void): RateLimiter {
  return {
    async tryAcquire(bucket, limit) {
      const wait = await limiter.tryAcquire(bucket, limit);
      if (wait > 0) onWait(bucket, wait);
      return wait;
    },
    penalize: (bucket, limit, retryAfterMs) => limiter.penalize(bucket, limit, retryAfterMs),
  };
}

export function validateRateLimit(name: string, limit: RateLimit): RateLimit {
  if (!(limit.perMinute > 0) || !Number.isFinite(limit.perMinute)) throw new Error(`${name}: perMinute must be > 0`);
  if (!Number.isInteger(limit.burst) || limit.burst < 1) throw new Error(`${name}: burst must be an integer ≥ 1`);
  return limit;
}

interface BucketState {
  tokens: number;
  at: number;
  /** Current refill rate in tokens per ms (lowered by 429s). */
  rate: number;
  blockedUntil: number;
}

/** Token buckets in this process only (one instance, or the fallback while Redis is down). */
export function createLocalRateLimiter(now: () => number = Date.now): RateLimiter & { readonly size: number } {
  const buckets = new Map<string, BucketState>();
  const state = (bucket: string, limit: RateLimit) => {
    const base = limit.perMinute / 60_000;
    let s = buckets.get(bucket);
    if (!s) {
      s = { tokens: limit.burst, at: now(), rate: base, blockedUntil: 0 };
      buckets.set(bucket, s);
    }
    const t = now();
    // After a 429 `at` lies in the future (the end of the block): nothing refills before it.
    if (t > s.at) {
      s.tokens = Math.min(limit.burst, s.tokens + (t - s.at) * s.rate);
      s.at = t;
    }
    return { s, base, t };
  };
  return {
    get size() {
      return buckets.size;
    },
    async tryAcquire(bucket, limit) {
      const { s, base, t } = state(bucket, limit);
      if (s.blockedUntil > t) return s.blockedUntil - t;
      if (s.tokens >= 1) {
        s.tokens -= 1;
        s.rate = Math.min(base, s.rate + base * RECOVERY_FRACTION);
        return 0;
      }
      return Math.max(1, Math.ceil((1 - s.tokens) / s.rate));
    },
    async penalize(bucket, limit, retryAfterMs) {
      const { s, base, t } = state(bucket, limit);
      // One slow-down per push-back: 429s answering requests already in flight when the first
      // one came (the bucket is still blocked) extend the block but do not halve the rate again.
      const alreadyBlocked = s.blockedUntil > t;
      s.tokens = 0;
      s.blockedUntil = Math.max(s.blockedUntil, t + Math.max(0, retryAfterMs));
      s.at = s.blockedUntil;
      if (!alreadyBlocked) s.rate = Math.max(base * MIN_RATE_FRACTION, s.rate / 2);
    },
  };
}
