/**
 * IdempotencyStore in Redis. Each key holds one JSON record; transitions are Lua scripts so a
 * claim is atomic across instances, and lease times come from the Redis server's clock (TIME),
 * not from instances whose clocks may disagree.
 */
import type { Redis } from 'ioredis';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../idempotency-store.ts';

/** The subset of ioredis this store uses (so tests and other clients can stand in). */
export type RedisLike = Pick<Redis, 'get' | 'eval' | 'set'>;

const CLAIM = `
local raw = redis.call('GET', KEYS[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local reconcile = 0
if raw then
  local r = cjson.decode(raw)
  if r.state == 'succeeded' or r.state == 'failed' then return raw end
  if r.state == 'in_flight' then
    if r.owner ~= ARGV[1] and tonumber(r.leaseUntil) > now then return raw end
    reconcile = 1
  end
  if r.state == 'unknown' then
    if r.lookAfter and tonumber(r.lookAfter) > now then return raw end
    reconcile = 1
  end
end
local rec = cjson.encode({state = 'in_flight', owner = ARGV[1], leaseUntil = now + tonumber(ARGV[2])})
redis.call('SET', KEYS[1], rec, 'EX', tonumber(ARGV[3]))
return 'claimed:' .. reconcile
`;

const RELEASE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local r = cjson.decode(raw)
if r.state ~= 'in_flight' or r.owner ~= ARGV[1] then return 0 end
local rec = {state = ARGV[2]}
local settle = tonumber(ARGV[4])
if ARGV[2] == 'unknown' and settle > 0 then
  local t = redis.call('TIME')
  rec.lookAfter = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + settle
end
redis.call('SET', KEYS[1], cjson.encode(rec), 'EX', tonumber(ARGV[3]))
return 1
`;

export interface RedisIdempotencyStoreOptions {
  readonly keyPrefix: string;
  readonly ttlSeconds: number;
}

export function createRedisIdempotencyStore(redis: RedisLike, options: RedisIdempotencyStoreOptions): IdempotencyStore {
  const fullKey = (key: string) => `${options.keyPrefix}idem:${key}`;
  return {
    async get(key) {
      const raw = await redis.get(fullKey(key));
      return raw === null ? null : (JSON.parse(raw) as IdempotencyRecord);
    },
    async claim(key, owner, leaseMs): Promise<ClaimResult> {
      const answer = String(await redis.eval(CLAIM, 1, fullKey(key), owner, leaseMs, options.ttlSeconds));
      if (answer.startsWith('claimed:')) return { claimed: true, mustReconcile: answer === 'claimed:1' };
      return { claimed: false, record: JSON.parse(answer) as IdempotencyRecord };
    },
    async release(key, owner, state, settleMs = 0) {
      await redis.eval(RELEASE, 1, fullKey(key), owner, state, options.ttlSeconds, Math.max(0, Math.round(settleMs)));
    },
    async complete(key, record) {
      await redis.set(fullKey(key), JSON.stringify(record), 'EX', options.ttlSeconds);
    },
  };
}
