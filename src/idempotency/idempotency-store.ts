/**
 * The idempotency store port: per delivery key, what do we know about the send?
 *
 *   (none) ──claim──▶ in_flight (lease) ──▶ succeeded | failed        (final, kept for the TTL)
 *                          │
 *                          └──▶ unknown  (timeout / lost response: the record may exist)
 *
 * A claim over `unknown`, over an expired lease, or over our own earlier lease reports
 * `mustReconcile`: the caller must ask the platform whether the record exists before sending.
 * An `unknown` released with a settle time (`lookAfter`, the store's clock) is not claimable
 * before it: a platform may apply a write some time after its answer was lost, and a look-up
 * before then would find nothing and let the write be sent twice. The wait belongs to the key,
 * not to the unit of work that sent: whoever claims next — a retry, another process after a
 * rebalance or a kill — waits it out.
 */
export type IdempotencyRecord =
  | { readonly state: 'in_flight'; readonly owner: string; readonly leaseUntil: number }
  | { readonly state: 'unknown'; readonly lookAfter?: number }
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
  /**
   * After a failed send: `unknown` if it may have been applied, `retry` if it surely was not.
   * `settleMs` (for `unknown`): how long from now the key may not be claimed, so that a look-up
   * comes after a late apply.
   */
  release(key: string, owner: string, state: 'unknown' | 'retry', settleMs?: number): Promise<void>;
  /** Records the final outcome (kept for the store's TTL). */
  complete(key: string, record: Extract<IdempotencyRecord, { state: 'succeeded' | 'failed' }>): Promise<void>;
}
