/**
 * Pseudonyms: keyed HMAC-SHA-256, never a plain or salted hash (employee ids are low-entropy and
 * a hash of them can be brute-forced). Each tenant gets its own key, derived by HKDF from the
 * root key, so one tenant's pseudonyms say nothing about another's. The key id travels with the
 * pseudonym so the root key can rotate.
 */
import { createHmac, hkdfSync } from 'node:crypto';

export interface Pseudonymizer {
  readonly keyId: string;
  pseudonym(tenantId: string, value: string): string;
}

export function createPseudonymizer(rootKey: Buffer, keyId: string): Pseudonymizer {
  if (rootKey.length < 32) throw new Error('pseudonym root key must be at least 32 bytes');
  // Derivation is per tenant, not per event: cache it (HKDF per event would be wasted work).
  const tenantKeys = new Map<string, Buffer>();
  const tenantKey = (tenantId: string) => {
    let key = tenantKeys.get(tenantId);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', rootKey, `impact-in/pseudonym/${keyId}`, `tenant:${tenantId}`, 32));
      tenantKeys.set(tenantId, key);
    }
    return key;
  };
  return {
    keyId,
    pseudonym: (tenantId, value) => createHmac('sha256', tenantKey(tenantId)).update(value, 'utf8').digest('hex'),
  };
}
