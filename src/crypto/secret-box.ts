/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per encryption and the owning row's
 * identity bound as associated data, so a ciphertext copied to another row fails to decrypt.
 * Sealed layout: iv (12) ‖ tag (16) ‖ ciphertext. The key id travels beside it for rotation.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedSecret {
  readonly keyId: string;
  readonly sealed: Buffer;
}

export interface SecretBox {
  seal(plaintext: string, associatedData: string): SealedSecret;
  open(secret: SealedSecret, associatedData: string): string;
}

/** `keys` maps key id → 32-byte key; `currentKeyId` seals, every listed key can open. */
export function createSecretBox(keys: ReadonlyMap<string, Buffer>, currentKeyId: string): SecretBox {
  for (const [id, key] of keys) {
    if (key.length !== 32) throw new Error(`secret key ${id} must be 32 bytes`);
  }
  const current = keys.get(currentKeyId);
  if (!current) throw new Error(`secret key ${currentKeyId} is not configured`);
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { keyId: currentKeyId, sealed: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]) };
    },
    open(secret, associatedData) {
      const key = keys.get(secret.keyId);
      if (!key) throw new Error(`secret key ${secret.keyId} is not configured`);
      if (secret.sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, secret.sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(secret.sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      // final() throws when the tag does not verify: tampered data, wrong key or wrong row.
      return Buffer.concat([decipher.update(secret.sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}
