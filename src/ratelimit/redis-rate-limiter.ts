/**
 * Token buckets shared by every instance through Redis: one hash per (platform, bucket), updated
 * atomically by a Lua script on the Redis server's clock (instances' clocks may disagree). The
 * semantics are those of createLocalRateLimiter (rate-limiter.ts), which also serves as the
 * fallback: while Redis is unreachable each instance limits on its own — requests are paced, not
 * stopped — and the degradation is reported through `onDegraded`.
 */
import type { Redis } from 'ioredis';
import { errorReason } from '../domain/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { createLocalRateLimiter, MIN_RATE_FRACTION, RECOVERY_FRACTION, type RateLimiter } from './rate-limiter.ts';

export type RedisEvalLike = Pick<Redis, 'eval'>;

// KEYS[1] bucket; ARGV: burst, base rate (tokens/ms), min rate, recovery step, ttl ms.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local base = tonumber(ARGV[2])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'rate', 'blocked')
local tokens = tonumber(h[1]) or burst
local at = tonumber(h[2]) or now
local rate = tonumber(h[3]) or base
local blocked = tonumber(h[4]) or 0
if blocked > now then return blocked - now end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  rate = math.min(base, rate + tonumber(ARGV[4]))
else
  wait = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', at, 'rate', tostring(rate), 'blocked', blocked)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return wait
`;

// KEYS[1] bucket; ARGV: burst, base rate, min rate, retry-after ms, ttl ms.
const PENALIZE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local base = tonumber(ARGV[2])
local h = redis.call('HMGET', KEYS[1], 'rate', 'blocked')
local rate = tonumber(h[1]) or base
local was = tonumber(h[2]) or 0
local blocked = math.max(was, now + tonumber(ARGV[4]))
-- One slow-down per push-back: 429s while still blocked only extend the block.
if was <= now then rate = math.max(tonumber(ARGV[3]), rate / 2) end
redis.call('HSET', KEYS[1], 'tokens', '0', 'at', blocked, 'rate', tostring(rate), 'blocked', blocked)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return 1
`;

export interface RedisRateLimiterOptions {
  readonly keyPrefix: string;
  readonly logger: Logger;
  /** Told when the limiter starts (true) or stops (false) falling back to per-instance buckets. */
  readonly onDegraded?: (degraded: boolean) => void;
}

export function createRedisRateLimiter(redis: RedisEvalLike, options: RedisRateLimiterOptions): RateLimiter {
  const local = createLocalRateLimiter();
  let degraded = false;
  const key = (bucket: string) => `${options.keyPrefix}rl:${bucket}`;
  const args = (limit: { perMinute: number; burst: number }) => {
    const base = limit.perMinute / 60_000;
    // Idle buckets expire once they would be full again (and at least a minute after use).
    const ttlMs = Math.max(60_000, Math.ceil(limit.burst / (base * MIN_RATE_FRACTION)));
    return { base, min: base * MIN_RATE_FRACTION, step: base * RECOVERY_FRACTION, ttlMs };
  };
  const setDegraded = (value: boolean, error?: unknown) => {
    if (value === degraded) return;
    degraded = value;
    if (value) options.logger.warn({ err: errorReason(error) }, 'rate limiter: Redis unreachable; limiting per instance');
    else options.logger.info('rate limiter: Redis reachable again; limits shared across instances');
    options.onDegraded?.(value);
  };
  return {
    async tryAcquire(bucket, limit) {
      const a = args(limit);
      try {
        const wait = Number(await redis.eval(TAKE, 1, key(bucket), limit.burst, a.base, a.min, a.step, a.ttlMs));
        setDegraded(false);
        return wait;
      } catch (error) {
        setDegraded(true, error);
        return local.tryAcquire(bucket, limit);
      }
    },
    async penalize(bucket, limit, retryAfterMs) {
      await local.penalize(bucket, limit, retryAfterMs);
      const a = args(limit);
      try {
        await redis.eval(PENALIZE, 1, key(bucket), limit.burst, a.base, a.min, Math.max(0, Math.round(retryAfterMs)), a.ttlMs);
        setDegraded(false);
      } catch (error) {
        setDegraded(true, error);
      }
    },
  };
}
