/**
 * The idempotency key of one delivery: a stable hash of platform, tenant, event id, contract
 * version and the normalized (key-sorted) payload. The same event delivered again — on retry,
 * after a crash, on replay — gets the same key; a corrected event with a new id gets a new one.
 */
import { createHash } from 'node:crypto';
import type { Platform } from './platform.ts';

export const IDEMPOTENCY_KEY_VERSION = 'v1';

export function idempotencyKey(platform: Platform, tenantId: string, eventId: string, payload: unknown): string {
  return createHash('sha256')
    .update([IDEMPOTENCY_KEY_VERSION, platform, tenantId, eventId, canonicalJson(payload)].join('\n'))
    .digest('hex');
}

/** JSON with object keys sorted at every depth, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
