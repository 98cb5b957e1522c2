import { describe, expect, it } from 'vitest';
import { SlidingWindowRateLimiter } from '../../../../src/simulators/common/rate-limiter.ts';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return { now: () => current, advance: (ms) => (current += ms) };
}

describe('SlidingWindowRateLimiter', () => {
  it('admits up to the limit, then says how long until the oldest slot frees', () => {
    const time = clock();
    const limiter = new SlidingWindowRateLimiter({ limit: 3, windowMs: 60_000, now: time.now });
    expect(limiter.take('k')).toEqual({ allowed: true });
    time.advance(10_000);
    expect(limiter.take('k')).toEqual({ allowed: true });
    expect(limiter.take('k')).toEqual({ allowed: true });
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    time.advance(49_500);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 }); // 500 ms rounds up
    time.advance(500);
    expect(limiter.take('k')).toEqual({ allowed: true }); // the first slot left the window
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('does not let rejected requests take a slot', () => {
    const time = clock();
    const limiter = new SlidingWindowRateLimiter({ limit: 1, windowMs: 1_000, now: time.now });
    expect(limiter.take('k').allowed).toBe(true);
    for (let i = 0; i < 5; i++) expect(limiter.take('k').allowed).toBe(false);
    time.advance(1_000);
    expect(limiter.take('k').allowed).toBe(true);
  });

  it('keeps one window per key', () => {
    const limiter = new SlidingWindowRateLimiter({ limit: 1, now: () => 0 });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('is disabled by limit 0 and cleared by reset()', () => {
    const off = new SlidingWindowRateLimiter({ limit: 0, now: () => 0 });
    for (let i = 0; i < 1_000; i++) expect(off.take('k').allowed).toBe(true);

    const limiter = new SlidingWindowRateLimiter({ limit: 1, now: () => 0 });
    limiter.take('k');
    expect(limiter.take('k').allowed).toBe(false);
    limiter.reset();
    expect(limiter.take('k').allowed).toBe(true);
  });

  it('rejects a negative or fractional limit', () => {
    expect(() => new SlidingWindowRateLimiter({ limit: -1 })).toThrow(RangeError);
    expect(() => new SlidingWindowRateLimiter({ limit: 1.5 })).toThrow(RangeError);
  });
});
