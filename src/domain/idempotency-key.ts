/**
 * The idempotency key of one delivery: a stable hash of platform, tenant, event id, contract
 * version and the normalized (key-sorted) payload. The same event delivered again — on retry,
 * after a crash, on replay — gets the same key; a corrected event with a new id gets a new one.
 * A later *generation* of a delivery (an operator's redrive of a dead letter or an explicit,
 * recorded `--force`: src/deliveries/redelivery.ts) gets a key of its own, so the platform, Redis
 * and our lookups see it as a new send; generation 0 keeps the key every delivery had before.
 */
import { createHash } from 'node:crypto';
import type { Platform } from './platform.ts';

export const IDEMPOTENCY_KEY_VERSION = 'v1';

export function idempotencyKey(platform: Platform, tenantId: string, eventId: string, payload: unknown, generation = 0): string {
  const parts = [IDEMPOTENCY_KEY_VERSION, platform, tenantId, eventId, canonicalJson(payload)];
  if (generation > 0) parts.push(`generation:${generation}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
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
