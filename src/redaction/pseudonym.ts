/**
 * Pseudonyms: keyed HMAC-SHA-256, never a plain or salted hash (employee ids are low-entropy and
 * a hash of them can be brute-forced). Each tenant gets its own key, derived by HKDF from a root
 * key, so one tenant's pseudonyms say nothing about another's. The key id travels with every
 * pseudonym: after a rotation new events use the new key, and a pseudonym made under a retired
 * key stays resolvable for its tenant with `pseudonymWith(oldKeyId, …)`.
 */
import { createHmac, hkdfSync } from 'node:crypto';

export interface Pseudonymizer {
  /** The key id new pseudonyms are made with. */
  readonly keyId: string;
  pseudonym(tenantId: string, value: string): string;
  /** The pseudonym `value` had (or has) under a given key, current or retired. */
  pseudonymWith(keyId: string, tenantId: string, value: string): string;
}

export function createPseudonymizer(rootKeys: ReadonlyMap<string, Buffer>, currentKeyId: string): Pseudonymizer {
  for (const [id, key] of rootKeys) {
    if (key.length < 32) throw new Error(`pseudonym root key ${id} must be at least 32 bytes`);
  }
  if (!rootKeys.has(currentKeyId)) throw new Error(`pseudonym key ${currentKeyId} is not configured`);
  // Derivation is per (key, tenant), not per event: cache it (HKDF per event would be wasted work).
  const tenantKeys = new Map<string, Buffer>();
  const tenantKey = (keyId: string, tenantId: string) => {
    const cacheKey = `${keyId}\u0000${tenantId}`;
    let key = tenantKeys.get(cacheKey);
    if (!key) {
      const root = rootKeys.get(keyId);
      if (!root) throw new Error(`pseudonym key ${keyId} is not configured`);
      key = Buffer.from(hkdfSync('sha256', root, `impact-in/pseudonym/${keyId}`, `tenant:${tenantId}`, 32));
      tenantKeys.set(cacheKey, key);
    }
    return key;
  };
  const pseudonymWith = (keyId: string, tenantId: string, value: string) =>
    createHmac('sha256', tenantKey(keyId, tenantId)).update(value, 'utf8').digest('hex');
  return {
    keyId: currentKeyId,
    pseudonym: (tenantId, value) => pseudonymWith(currentKeyId, tenantId, value),
    pseudonymWith,
  };
}
