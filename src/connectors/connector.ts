/**
 * The connector port: everything the delivery stage needs from a platform. One implementation per
 * platform, each in its own folder with its mapper and its request/response schemas.
 */
import type { Platform } from '../domain/platform.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import type { TenantPolicy } from '../redaction/policy/policy.ts';

export interface DeliveryRequest {
  /** The event as this platform may see it: already reduced by the redaction policy. */
  readonly event: RedactedEvent;
  /** Deterministic per (platform, tenant, event, version, payload): sent as Idempotency-Key and
   *  kept inside the record where the platform allows, so a lookup can find it. */
  readonly idempotencyKey: string;
  /** The tenant's decrypted credentials for this platform; the connector parses its own shape. */
  readonly credentials: Readonly<Record<string, unknown>>;
  /** The tenant's policy tightening (e.g. whether donation receipts are on). */
  readonly tenantPolicy: TenantPolicy;
}

export type DeliveryOutcome =
  | { readonly status: 'delivered'; readonly externalRef: string }
  | { readonly status: 'rejected'; readonly errorClass: string; readonly reason: string };

export interface Connector {
  readonly platform: Platform;
  /**
   * Sends the record. Every request body passes the pre-send gate first (PII_BLOCKED if it holds
   * personal data the policy does not allow). Resolves with delivered or rejected (a final answer from the platform);
   * throws an ImpactError for anything retryable — OUTCOME_UNKNOWN when the record may exist.
   */
  deliver(request: DeliveryRequest): Promise<DeliveryOutcome>;
  /** Asks the platform whether our record exists (read before re-send). */
  lookup(request: DeliveryRequest): Promise<{ readonly externalRef: string } | null>;
}
