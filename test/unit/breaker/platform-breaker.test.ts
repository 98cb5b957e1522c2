import { afterEach, describe, expect, it } from 'vitest';
import { createPlatformBreaker, type PlatformBreaker } from '../../../src/breaker/platform-breaker.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { SendWindowClosedError } from '../../../src/http/send-window.ts';

const settings = { failureThreshold: 5, windowMs: 10_000, resetMs: 40 };
const unavailable = () => Promise.reject(new ImpactError('PLATFORM_UNAVAILABLE', 'HTTP 503'));
const ok = () => Promise.resolve('ok');
let breaker: PlatformBreaker;

afterEach(() => breaker?.shutdown());

async function failTimes(n: number, fn: () => Promise<unknown> = unavailable) {
  for (let i = 0; i < n; i++) await breaker.run(fn).catch(() => undefined);
}

describe('platform circuit breaker', () => {
  it('opens on the fifth failure within the window, and then sends nothing', async () => {
    breaker = createPlatformBreaker('goodera', settings);
    await failTimes(4);
    expect(breaker.state).toBe('closed');
    await failTimes(1);
    expect(breaker.state).toBe('open');
    let called = false;
    await expect(
      breaker.run(async () => {
        called = true;
      }),
    ).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(called).toBe(false);
  });

  it('successes in between do not hide five failures in the window', async () => {
    breaker = createPlatformBreaker('goodera', settings);
    for (let i = 0; i < 5; i++) {
      await breaker.run(ok);
      await failTimes(1);
    }
    expect(breaker.state).toBe('open');
  });

  it('failures older than the window do not count', async () => {
    breaker = createPlatformBreaker('goodera', { ...settings, windowMs: 30 });
    await failTimes(4);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await failTimes(4);
    expect(breaker.state).toBe('closed');
  });

  it('4xx rejections, 429s, refusals before sending and closed send windows never trip it', async () => {
    breaker = createPlatformBreaker('goodera', settings);
    for (const code of ['PLATFORM_REJECTED', 'PLATFORM_RATE_LIMITED', 'PII_BLOCKED', 'CONFIG_INVALID'] as const) {
      await failTimes(10, () => Promise.reject(new ImpactError(code, code)));
    }
    // Writes refused by their send window never reached the platform either.
    await failTimes(10, () => Promise.reject(new SendWindowClosedError(0, 1)));
    expect(breaker.state).toBe('closed');
  });

  it('half-opens after the reset time: a successful probe closes it', async () => {
    breaker = createPlatformBreaker('goodera', settings);
    const states: string[] = [];
    breaker.onStateChange((s) => states.push(s));
    await failTimes(5);
    await breaker.ready();
    expect(breaker.state).toBe('half_open');
    expect(await breaker.run(ok)).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('a failed probe opens it again', async () => {
    breaker = createPlatformBreaker('goodera', settings);
    await failTimes(5);
    await breaker.ready();
    await failTimes(1);
    expect(breaker.state).toBe('open');
  });

  it('ready() waits while open and gives up on abort', async () => {
    breaker = createPlatformBreaker('goodera', { ...settings, resetMs: 60_000 });
    await expect(breaker.ready()).resolves.toBeUndefined();
    await failTimes(5);
    const controller = new AbortController();
    const waiting = breaker.ready(controller.signal);
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
  });
});
