/** The refresh rule every token store applies: when a held token may still be used. */
import { describe, expect, it } from 'vitest';
import { isUsable, type HeldToken } from '../../../src/tokens/token-store.ts';

const NOW = Date.parse('2026-11-28T12:00:00.000Z');
const held = (expiresInMs: number, issuedForMs = 3_600_000, accessToken = 'a'): HeldToken => ({
  token: { accessToken, tokenType: 'Bearer', expiresAt: new Date(NOW + expiresInMs) },
  issuedForMs,
});

describe('isUsable', () => {
  it('uses a token until the refresh margin before its expiry', () => {
    expect(isUsable(held(61_000), 60_000, NOW)).toBe(true);
    expect(isUsable(held(60_000), 60_000, NOW)).toBe(false);
    expect(isUsable(held(-1), 0, NOW)).toBe(false);
    expect(isUsable(held(0), 0, NOW)).toBe(false);
    expect(isUsable(held(1), 0, NOW)).toBe(true);
  });

  it('caps the margin at a tenth of the lifetime, so a short-lived token is not refreshed on every call', () => {
    // A 30 s token with a 60 s margin: refreshed in its last 3 s, not always.
    expect(isUsable(held(20_000, 30_000), 60_000, NOW)).toBe(true);
    expect(isUsable(held(3_000, 30_000), 60_000, NOW)).toBe(false);
  });

  it('never hands back the token the platform just refused, however fresh', () => {
    expect(isUsable(held(3_000_000, 3_600_000, 'refused'), 60_000, NOW, 'refused')).toBe(false);
    expect(isUsable(held(3_000_000, 3_600_000, 'newer'), 60_000, NOW, 'refused')).toBe(true);
  });
});
