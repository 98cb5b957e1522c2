/**
 * The overhead the delivery safety steps add to each delivery, against the real Redis of the
 * local stack (`eval "$(bash deploy/local/stack.sh env)"` first):
 *
 *   node bench/delivery-steps.bench.ts [--seconds 2]
 *
 * - idempotency: claim (Lua) + complete per delivery, the Redis part of every send;
 * - rate limit: one token-bucket take (Lua) per request;
 * each measured one at a time (latency: µs per delivery, CPU µs in this process) and with 32 in
 * flight (throughput, as a deliverer with many partitions sees it). Figures, not assertions.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisIdempotencyStore } from '../src/idempotency/redis/redis-idempotency-store.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createRedisRateLimiter } from '../src/ratelimit/redis-rate-limiter.ts';
import { benchHeader, benchOptions, formatRate, table } from './lib.ts';

const options = benchOptions();
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keyPrefix = `bench.${randomUUID().slice(0, 8)}:`;
const store = createRedisIdempotencyStore(redis, { keyPrefix, ttlSeconds: 300 });
const limiter = createRedisRateLimiter(redis, { keyPrefix, logger: createLogger('silent') });
const open = { perMinute: 1e12, burst: 1e9 };

let n = 0;
const steps: Record<string, () => Promise<unknown>> = {
  'idempotency claim+complete': async () => {
    const key = `k${n++}`;
    await store.claim(key, 'bench', 60_000);
    await store.complete(key, { state: 'succeeded', externalRef: 'r' });
  },
  'rate-limit take': () => limiter.tryAcquire(`goodera:t${n++ % 50}`, open),
};

async function run(step: () => Promise<unknown>, concurrency: number, ms: number) {
  let ops = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await step();
        ops++;
      }
    }),
  );
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ops, opsPerSec: (ops * 1000) / wallMs, micros: (wallMs * 1000 * concurrency) / ops, cpuMicros: (used.user + used.system) / ops };
}

const rows: string[][] = [];
for (const [name, step] of Object.entries(steps)) {
  for (const concurrency of [1, 32]) {
    await run(step, concurrency, options.warmupMs);
    const r = await run(step, concurrency, options.measureMs);
    rows.push([name, String(concurrency), formatRate(r.opsPerSec), r.micros.toFixed(1), r.cpuMicros.toFixed(1)]);
  }
}

const keys = await redis.keys(`${keyPrefix}*`);
for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
redis.disconnect();

process.stdout.write(benchHeader('delivery safety steps against local Redis', options));
process.stdout.write(table(['step', 'in flight', 'ops/s', 'µs/op (latency)', 'CPU µs/op'], rows));
