import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/domain/backoff.ts';

const policy = { baseMs: 100, maxMs: 1_000 };
const almostOne = () => 0.999_999;

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt, starting at the base', () => {
    expect(backoffDelayMs(1, policy, almostOne)).toBe(99);
    expect(backoffDelayMs(2, policy, almostOne)).toBe(199);
    expect(backoffDelayMs(3, policy, almostOne)).toBe(399);
    expect(backoffDelayMs(4, policy, almostOne)).toBe(799);
  });

  it('never exceeds the maximum', () => {
    expect(backoffDelayMs(5, policy, almostOne)).toBe(999);
    expect(backoffDelayMs(50, policy, almostOne)).toBe(999);
  });

  it('is full jitter: the random draw scales the ceiling from zero', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
  });

  it('treats attempt 0 or below like the first retry', () => {
    expect(backoffDelayMs(0, policy, almostOne)).toBe(99);
    expect(backoffDelayMs(-3, policy, almostOne)).toBe(99);
  });

  it('stays within [0, ceiling] with the default random source', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(2, policy);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(200);
    }
  });
});
