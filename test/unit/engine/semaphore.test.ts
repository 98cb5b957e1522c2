import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../src/engine/semaphore.ts';

describe('Semaphore: the process-wide in-flight bound', () => {
  it('holds callers beyond its permits until one is released, first come first served', async () => {
    const semaphore = new Semaphore(2);
    await semaphore.acquire();
    await semaphore.acquire();
    const order: string[] = [];
    const a = semaphore.acquire().then(() => order.push('a'));
    const b = semaphore.acquire().then(() => order.push('b'));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(semaphore.waiting).toBe(2);
    semaphore.release();
    await a;
    expect(order).toEqual(['a']);
    semaphore.release();
    await b;
    expect(order).toEqual(['a', 'b']);
    expect(semaphore.inUse).toBe(2);
  });

  it('never holds more permits free than it has', () => {
    const semaphore = new Semaphore(1);
    semaphore.release();
    expect(semaphore.inUse).toBe(0);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
