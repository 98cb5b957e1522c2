import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../../../src/redaction/pseudonym.ts';
import { testKey } from '../fixtures.ts';

const HEX64 = /^[0-9a-f]{64}$/;

describe('createPseudonymizer', () => {
  const pseudonyms = createPseudonymizer(new Map([['p1', testKey(1)]]), 'p1');

  it('gives 64 hex characters, the same for the same (tenant, employee)', () => {
    const a = pseudonyms.pseudonym('acme', 'E10001');
    expect(a).toMatch(HEX64);
    expect(pseudonyms.pseudonym('acme', 'E10001')).toBe(a);
    expect(createPseudonymizer(new Map([['p1', testKey(1)]]), 'p1').pseudonym('acme', 'E10001')).toBe(a);
  });

  it('differs per employee and per tenant', () => {
    const a = pseudonyms.pseudonym('acme', 'E10001');
    expect(pseudonyms.pseudonym('acme', 'E10002')).not.toBe(a);
    expect(pseudonyms.pseudonym('globex', 'E10001')).not.toBe(a);
  });

  it('differs per root key and per key id', () => {
    const a = pseudonyms.pseudonym('acme', 'E10001');
    expect(createPseudonymizer(new Map([['p1', testKey(2)]]), 'p1').pseudonym('acme', 'E10001')).not.toBe(a);
    expect(createPseudonymizer(new Map([['p2', testKey(1)]]), 'p2').pseudonym('acme', 'E10001')).not.toBe(a);
  });

  it('is not a plain or salted hash, nor an HMAC under the root key itself', () => {
    const a = pseudonyms.pseudonym('acme', 'E10001');
    for (const guess of ['E10001', 'acme:E10001', 'acmeE10001', 'E10001acme']) {
      expect(a).not.toBe(createHash('sha256').update(guess).digest('hex'));
    }
    expect(a).not.toBe(createHmac('sha256', testKey(1)).update('E10001').digest('hex'));
  });

  it('carries the current key id', () => {
    expect(pseudonyms.keyId).toBe('p1');
    expect(createPseudonymizer(new Map([['p1', testKey(1)], ['p2', testKey(2)]]), 'p2').keyId).toBe('p2');
  });

  it('after rotation makes new pseudonyms with the new key and still resolves old ones', () => {
    const before = pseudonyms.pseudonym('acme', 'E10001');
    const rotated = createPseudonymizer(new Map([['p1', testKey(1)], ['p2', testKey(2)]]), 'p2');
    expect(rotated.pseudonym('acme', 'E10001')).not.toBe(before);
    expect(rotated.pseudonymWith('p1', 'acme', 'E10001')).toBe(before);
    expect(rotated.pseudonymWith('p2', 'acme', 'E10001')).toBe(rotated.pseudonym('acme', 'E10001'));
    expect(() => rotated.pseudonymWith('p9', 'acme', 'E10001')).toThrow(/p9/);
  });

  it('refuses a short root key and a current key id it does not hold', () => {
    expect(() => createPseudonymizer(new Map([['p1', Buffer.alloc(16, 1)]]), 'p1')).toThrow(/32 bytes/);
    expect(() => createPseudonymizer(new Map([['p1', testKey(1)]]), 'p2')).toThrow(/p2/);
  });
});
