import { describe, expect, it } from 'vitest';
import { canonicalJson, idempotencyKey } from '../../../src/domain/idempotency-key.ts';

const EVENT = '5b1f0c2e-8a4d-4c1e-9f3a-2d7b6e8c1a90';

describe('idempotencyKey', () => {
  const payload = { amountMinor: 1200, currency: 'GBP', recipientId: 'charity-1', extra: { b: 2, a: 1 } };

  it('is 64 hex characters and stable for the same input', () => {
    const key = idempotencyKey('goodera', 'acme', EVENT, payload);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyKey('goodera', 'acme', EVENT, payload)).toBe(key);
  });

  it('does not depend on the order of payload keys, at any depth', () => {
    const reordered = { extra: { a: 1, b: 2 }, recipientId: 'charity-1', currency: 'GBP', amountMinor: 1200 };
    expect(idempotencyKey('goodera', 'acme', EVENT, reordered)).toBe(idempotencyKey('goodera', 'acme', EVENT, payload));
  });

  it('differs by platform, tenant, event id and payload', () => {
    const base = idempotencyKey('goodera', 'acme', EVENT, payload);
    const variants = [
      idempotencyKey('benevity', 'acme', EVENT, payload),
      idempotencyKey('goodera', 'globex', EVENT, payload),
      idempotencyKey('goodera', 'acme', '5b1f0c2e-8a4d-4c1e-9f3a-2d7b6e8c1a91', payload),
      idempotencyKey('goodera', 'acme', EVENT, { ...payload, amountMinor: 1201 }),
    ];
    for (const variant of variants) expect(variant).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth, keeping array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('drops undefined properties', () => {
    expect(canonicalJson({ a: 1, b: undefined, c: { d: undefined, e: 'x' } })).toBe('{"a":1,"c":{"e":"x"}}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('encodes scalars as JSON', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
  });
});
