import { describe, expect, it } from 'vitest';
import { SendWindowClosedError } from '../../../src/http/send-window.ts';
import { acquire, createLocalRateLimiter, validateRateLimit } from '../../../src/ratelimit/rate-limiter.ts';

const GOODERA = { perMinute: 100, burst: 1 };

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('local token bucket', () => {
  it('100/min with burst 1 spaces requests 600 ms apart', async () => {
    const c = clock();
    const limiter = createLocalRateLimiter(c.now);
    expect(await limiter.tryAcquire('goodera:acme', GOODERA)).toBe(0);
    expect(await limiter.tryAcquire('goodera:acme', GOODERA)).toBe(600);
    c.advance(599);
    expect(await limiter.tryAcquire('goodera:acme', GOODERA)).toBe(1);
    c.advance(1);
    expect(await limiter.tryAcquire('goodera:acme', GOODERA)).toBe(0);
  });

  it('grants a burst, then exactly the refill rate', async () => {
    const c = clock();
    const limiter = createLocalRateLimiter(c.now);
    const limit = { perMinute: 60, burst: 5 };
    let granted = 0;
    for (let i = 0; i < 10; i++) if ((await limiter.tryAcquire('b', limit)) === 0) granted++;
    expect(granted).toBe(5);
    c.advance(3_000);
    granted = 0;
    for (let i = 0; i < 10; i++) if ((await limiter.tryAcquire('b', limit)) === 0) granted++;
    expect(granted).toBe(3);
  });

  it('keeps buckets apart', async () => {
    const limiter = createLocalRateLimiter(clock().now);
    expect(await limiter.tryAcquire('goodera:acme', GOODERA)).toBe(0);
    expect(await limiter.tryAcquire('goodera:globex', GOODERA)).toBe(0);
    expect(await limiter.tryAcquire('goodera:acme', GOODERA)).toBeGreaterThan(0);
    expect(limiter.size).toBe(2);
  });

  it('a 429 blocks for Retry-After, halves the rate, and successes bring it back', async () => {
    const c = clock();
    const limiter = createLocalRateLimiter(c.now);
    const limit = { perMinute: 600, burst: 1 }; // one per 100 ms
    await limiter.penalize('b', limit, 2_000);
    expect(await limiter.tryAcquire('b', limit)).toBe(2_000);
    c.advance(2_000);
    // Bucket emptied by the 429; at half rate a token takes 200 ms.
    expect(await limiter.tryAcquire('b', limit)).toBe(200);
    c.advance(200);
    expect(await limiter.tryAcquire('b', limit)).toBe(0);
    // Each grant adds back 5 % of the base rate: after ~10 grants the spacing is 100 ms again.
    let spacing = 0;
    for (let i = 0; i < 12; i++) {
      spacing = await limiter.tryAcquire('b', limit);
      c.advance(spacing);
      expect(await limiter.tryAcquire('b', limit)).toBe(0);
    }
    expect(spacing).toBe(100);
  });

  it('repeated 429s never slow it below a tenth of the configured rate', async () => {
    const c = clock();
    const limiter = createLocalRateLimiter(c.now);
    const limit = { perMinute: 600, burst: 1 };
    for (let i = 0; i < 20; i++) await limiter.penalize('b', limit, 0);
    expect(await limiter.tryAcquire('b', limit)).toBe(1_000);
  });

  it('429s answering requests already in flight extend the block but halve the rate only once', async () => {
    const c = clock();
    const limiter = createLocalRateLimiter(c.now);
    const limit = { perMinute: 600, burst: 1 }; // one per 100 ms
    for (let i = 0; i < 10; i++) await limiter.penalize('b', limit, 1_000);
    c.advance(1_000);
    expect(await limiter.tryAcquire('b', limit)).toBe(200); // half rate, not 1/1024 of it
  });

  it('acquire waits until a token is free, and stops on abort', async () => {
    const limiter = createLocalRateLimiter();
    const limit = { perMinute: 60_000, burst: 1 }; // one per ms
    expect(await acquire(limiter, 'b', limit)).toBeGreaterThanOrEqual(0);
    await acquire(limiter, 'b', limit);
    const blocked = { perMinute: 1, burst: 1 };
    await acquire(limiter, 'slow', blocked);
    const controller = new AbortController();
    const waiting = acquire(limiter, 'slow', blocked, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow();
  });

  it('acquire within a send window waits at most until it closes, then throws without taking a token', async () => {
    const limiter = createLocalRateLimiter();
    const blocked = { perMinute: 1, burst: 1 };
    await acquire(limiter, 'w', blocked);
    const started = Date.now();
    await expect(acquire(limiter, 'w', blocked, undefined, started + 50)).rejects.toBeInstanceOf(SendWindowClosedError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(Date.now() - started).toBeLessThan(1_000);
    // A window already closed: no token asked for at all — the free bucket keeps its token.
    await expect(acquire(limiter, 'free', blocked, undefined, Date.now() - 1)).rejects.toBeInstanceOf(SendWindowClosedError);
    expect(await limiter.tryAcquire('free', blocked)).toBe(0);
    // A token free now is taken within the window.
    expect(await acquire(limiter, 'other', blocked, undefined, Date.now() + 1_000)).toBeGreaterThanOrEqual(0);
  });

  it('rejects a limit that cannot work, naming it', () => {
    expect(() => validateRateLimit('RATE_LIMIT_GOODERA', { perMinute: 0, burst: 1 })).toThrow('RATE_LIMIT_GOODERA: perMinute');
    expect(() => validateRateLimit('RATE_LIMIT_GOODERA', { perMinute: 10, burst: 0.5 })).toThrow('RATE_LIMIT_GOODERA: burst');
    expect(validateRateLimit('x', GOODERA)).toBe(GOODERA);
  });
});
