import { describe, expect, it } from 'vitest';
import { TokenCache, type IssuedToken } from '../../../../src/connectors/benevity/benevity.tokens.ts';

const CLIENT = { clientId: 'c1', clientSecret: 'secret-0001' };

function setup(ttlSeconds = 3600) {
  let clock = 0;
  let issued = 0;
  let release: (() => void) | undefined;
  let hold = false;
  const cache = new TokenCache({
    refreshMarginMs: 60_000,
    now: () => clock,
    async fetchToken(): Promise<IssuedToken> {
      issued++;
      const token = { accessToken: `token-${issued}`, expiresInSeconds: ttlSeconds };
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return token;
    },
  });
  return {
    cache,
    issued: () => issued,
    advance: (ms: number) => (clock += ms),
    holdNext: () => (hold = true),
    releaseHeld: () => {
      hold = false;
      release?.();
    },
  };
}

describe('TokenCache', () => {
  it('reuses a token until the refresh margin before expiry, then fetches a new one', async () => {
    const t = setup();
    expect(await t.cache.token(CLIENT)).toBe('token-1');
    t.advance(3_539_000);
    expect(await t.cache.token(CLIENT)).toBe('token-1');
    t.advance(1_000);
    expect(await t.cache.token(CLIENT)).toBe('token-2');
    expect(t.issued()).toBe(2);
  });

  it('caps the margin at a tenth of a short lifetime', async () => {
    const t = setup(10);
    await t.cache.token(CLIENT);
    t.advance(8_999);
    expect(await t.cache.token(CLIENT)).toBe('token-1');
    t.advance(1);
    expect(await t.cache.token(CLIENT)).toBe('token-2');
  });

  it('single flight: concurrent callers share one fetch', async () => {
    const t = setup();
    t.holdNext();
    const waiting = Promise.all(Array.from({ length: 10 }, () => t.cache.token(CLIENT)));
    await new Promise((resolve) => setImmediate(resolve));
    t.releaseHeld();
    expect(new Set(await waiting)).toEqual(new Set(['token-1']));
    expect(t.issued()).toBe(1);
  });

  it('refresh after a 401 replaces the rejected token once, however many callers report it', async () => {
    const t = setup();
    const rejected = await t.cache.token(CLIENT);
    const fresh = await Promise.all(Array.from({ length: 5 }, () => t.cache.refresh(CLIENT, rejected)));
    expect(new Set(fresh)).toEqual(new Set(['token-2']));
    expect(await t.cache.refresh(CLIENT, rejected)).toBe('token-2');
    expect(t.issued()).toBe(2);
  });

  it('keeps a token per client and secret, and forgets a failed fetch', async () => {
    let fail = true;
    let n = 0;
    const cache = new TokenCache({
      refreshMarginMs: 0,
      async fetchToken(client) {
        n++;
        if (fail) throw new Error('down');
        return { accessToken: `${client.clientId}:${client.clientSecret}:${n}`, expiresInSeconds: 60 };
      },
    });
    await expect(cache.token(CLIENT)).rejects.toThrow('down');
    fail = false;
    expect(await cache.token(CLIENT)).toBe('c1:secret-0001:2');
    expect(await cache.token({ ...CLIENT, clientSecret: 'rotated-0002' })).toBe('c1:rotated-0002:3');
  });
});
