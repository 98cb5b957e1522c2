/**
 * The idempotency store port: per delivery key, what do we know about the send?
 *
 *   (none) ──claim──▶ in_flight (lease) ──▶ succeeded | failed        (final, kept for the TTL)
 *                          │
 *                          └──▶ unknown  (timeout / lost response: the record may exist)
 *
 * A claim over `unknown`, over an expired lease, or over our own earlier lease reports
 * `mustReconcile`: the caller must ask the platform whether the record exists before sending.
 */
export type IdempotencyRecord =
  | { readonly state: 'in_flight'; readonly owner: string; readonly leaseUntil: number }
  | { readonly state: 'unknown' }
  | { readonly state: 'retry' }
  | { readonly state: 'succeeded'; readonly externalRef: string }
  | { readonly state: 'failed'; readonly reason: string };

export type ClaimResult =
  | { readonly claimed: true; readonly mustReconcile: boolean }
  | { readonly claimed: false; readonly record: IdempotencyRecord };

export interface IdempotencyStore {
  get(key: string): Promise<IdempotencyRecord | null>;
  /** Takes the in-flight lease unless the key is final or leased by another owner. */
  claim(key: string, owner: string, leaseMs: number): Promise<ClaimResult>;
  /** After a failed send: `unknown` if it may have been applied, `retry` if it surely was not. */
  release(key: string, owner: string, state: 'unknown' | 'retry'): Promise<void>;
  /** Records the final outcome (kept for the store's TTL). */
  complete(key: string, record: Extract<IdempotencyRecord, { state: 'succeeded' | 'failed' }>): Promise<void>;
}
