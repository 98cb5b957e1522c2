/**
 * Verification of a signed callback: `x-benevity-signature: t=<unix seconds>,v1=<hex>` where v1 is
 * HMAC-SHA256(secret, "<t>." + raw body). Computed over the RAW bytes as received (never a
 * re-serialized parse), compared with crypto.timingSafeEqual, and refused when t is outside the
 * tolerance window. Several v1 values are accepted (a platform rotating its secret sends both).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-benevity-signature';

export type SignatureCheck =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

export interface ParsedSignature {
  readonly timestamp: number;
  readonly signatures: readonly Buffer[];
}

/** Parses `t=…,v1=…[,v1=…]`; null when it is not that shape. */
export function parseSignatureHeader(header: string): ParsedSignature | null {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) return null;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return null;
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (v0, future versions) are ignored, as their senders intend.
  }
  if (timestamp === undefined || signatures.length === 0) return null;
  return { timestamp, signatures };
}

export function computeSignature(secret: string, timestamp: number, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

export interface VerifyOptions {
  readonly secret: string;
  readonly header: string | undefined;
  readonly rawBody: Buffer;
  /** Now, in unix seconds. */
  readonly nowSeconds: number;
  readonly toleranceSeconds: number;
}

/** The signature first (an unsigned request learns nothing more), then freshness. */
export function verifySignature(options: VerifyOptions): SignatureCheck {
  if (options.header === undefined || options.header.length === 0) return { ok: false, reason: 'missing' };
  const parsed = parseSignatureHeader(options.header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const expected = computeSignature(options.secret, parsed.timestamp, options.rawBody);
  // Every candidate is compared (no early exit), each in constant time for equal lengths.
  let matched = false;
  for (const candidate of parsed.signatures) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'mismatch' };
  if (Math.abs(options.nowSeconds - parsed.timestamp) > options.toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: parsed.timestamp };
}
