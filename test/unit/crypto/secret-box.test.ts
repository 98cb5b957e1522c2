import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { testKey } from '../fixtures.ts';

const ROW = 'tenant_platforms:acme:goodera';
const PLAINTEXT = '{"apiKey":"gd-live-0123456789"}';

describe('createSecretBox', () => {
  const box = createSecretBox(new Map([['k1', testKey(1)]]), 'k1');

  it('opens what it sealed, with the key id carried', () => {
    const sealed = box.seal(PLAINTEXT, ROW);
    expect(sealed.keyId).toBe('k1');
    expect(sealed.sealed.length).toBe(12 + 16 + Buffer.byteLength(PLAINTEXT));
    expect(sealed.sealed.toString('utf8')).not.toContain('gd-live');
    expect(box.open(sealed, ROW)).toBe(PLAINTEXT);
  });

  it('uses a fresh IV per seal: the same plaintext seals differently', () => {
    const a = box.seal(PLAINTEXT, ROW);
    const b = box.seal(PLAINTEXT, ROW);
    expect(a.sealed.equals(b.sealed)).toBe(false);
    expect(a.sealed.subarray(0, 12).equals(b.sealed.subarray(0, 12))).toBe(false);
  });

  it('fails when any byte is tampered with (iv, tag or ciphertext)', () => {
    const sealed = box.seal(PLAINTEXT, ROW);
    for (const index of [0, 12, 28, sealed.sealed.length - 1]) {
      const tampered = Buffer.from(sealed.sealed);
      tampered[index] = tampered[index]! ^ 0x01;
      expect(() => box.open({ keyId: 'k1', sealed: tampered }, ROW)).toThrow();
    }
  });

  it('fails to open under different associated data (another row)', () => {
    const sealed = box.seal(PLAINTEXT, ROW);
    expect(() => box.open(sealed, 'tenant_platforms:globex:goodera')).toThrow();
  });

  it('fails for an unknown key id, naming it', () => {
    const sealed = box.seal(PLAINTEXT, ROW);
    expect(() => box.open({ keyId: 'k9', sealed: sealed.sealed }, ROW)).toThrow(/k9/);
  });

  it('fails under the wrong key with the right id', () => {
    const other = createSecretBox(new Map([['k1', testKey(7)]]), 'k1');
    expect(() => other.open(box.seal(PLAINTEXT, ROW), ROW)).toThrow();
  });

  it('fails on a truncated ciphertext', () => {
    expect(() => box.open({ keyId: 'k1', sealed: Buffer.alloc(20) }, ROW)).toThrow(/truncated/);
  });

  it('after rotation seals with the current key and still opens old ciphertexts', () => {
    const old = box.seal(PLAINTEXT, ROW);
    const rotated = createSecretBox(new Map([['k1', testKey(1)], ['k2', testKey(2)]]), 'k2');
    expect(rotated.open(old, ROW)).toBe(PLAINTEXT);
    const fresh = rotated.seal(PLAINTEXT, ROW);
    expect(fresh.keyId).toBe('k2');
    expect(rotated.open(fresh, ROW)).toBe(PLAINTEXT);
    expect(() => box.open(fresh, ROW)).toThrow(/k2/);
  });

  it('refuses keys that are not 32 bytes and a current key id it does not hold', () => {
    expect(() => createSecretBox(new Map([['k1', Buffer.alloc(16)]]), 'k1')).toThrow(/32 bytes/);
    expect(() => createSecretBox(new Map([['k1', testKey(1)]]), 'k2')).toThrow(/k2/);
  });
});
