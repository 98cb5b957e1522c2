import { createHmac } from 'node:crypto';

/** Header carrying the callback signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const BENEVITY_SIGNATURE_HEADER = 'x-benevity-signature';

/**
 * Signs a callback body the way Benevity does: HMAC-SHA256 with the shared callback secret over
 * `"<t>.<raw body>"`, hex-encoded. Exported so tests can forge or verify signatures.
 */
export function signBenevityCallback(secret: string, rawBody: string | Buffer, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}
