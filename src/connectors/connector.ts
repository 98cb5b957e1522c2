/**
 * The connector port: everything the delivery stage needs from a platform. One implementation per
 * platform, each in its own folder with its mapper and its request/response schemas.
 */
import type { ImpactError } from '../domain/errors.ts';
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
  /**
   * The last moment (epoch ms) a write of this record may leave: the deliverer's lease on the key
   * outlasts a write sent by then, its answer and a late apply (src/http/send-window.ts). A
   * connector passes it to every write request and to the rate-limit wait before it; past it, the
   * write is not sent and SendWindowClosedError is thrown. Absent: no window.
   */
  readonly sendBy?: number;
}

export type DeliveryOutcome =
  | { readonly status: 'delivered'; readonly externalRef: string }
  | { readonly status: 'rejected'; readonly errorClass: string; readonly reason: string }
  /** Accepted into an asynchronous platform job (Benevity's bulk import): the final outcome comes
   *  later, by the job's signed callback or by polling the job (src/deliveries/delivery-jobs.ts). */
  | { readonly status: 'submitted'; readonly jobId: string; readonly recordIndex: number };

/** A final answer for one record of a batch. */
export type FinalOutcome = Exclude<DeliveryOutcome, { status: 'submitted' }>;

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

/**
 * A connector that can send several records of ONE tenant in one request (Goodera's batch of ≤ 100)
 * and answers per record. Each item of the answer, in request order, is the record's final
 * outcome, or the ImpactError that kept it from being sent (the pre-send gate): only that record
 * fails. A failure of the whole request (429, 5xx, network, an answer outside the contract) throws,
 * as `deliver` does — OUTCOME_UNKNOWN when records may exist.
 */
export interface BatchConnector extends Connector {
  /** Records per request at most. */
  readonly maxBatch: number;
  deliverBatch(requests: readonly DeliveryRequest[]): Promise<(FinalOutcome | ImpactError)[]>;
  /**
   * Resolves when a request with this record's credentials may go at once (Goodera: the API key's
   * rate-limit token is taken, and the next request of that key uses it instead of waiting
   * again). A batching caller waits for it before filling a request, so what arrives during the
   * wait goes too. Optional: without it a request is filled when it is started.
   */
  ready?(request: DeliveryRequest): Promise<void>;
}

export function isBatchConnector(connector: Connector): connector is BatchConnector {
  return typeof (connector as Partial<BatchConnector>).deliverBatch === 'function';
}

// Asynchronous platform jobs (Benevity's bulk import): what the job path (src/jobs/) needs from
// a platform whose records are accepted into a job and answered later.

/** One record's outcome as the platform reports it, by position in the job. */
export interface JobRecordResult {
  readonly index: number;
  /** Our idempotency key as the platform echoes it (null when it could not read it). */
  readonly externalId: string | null;
  readonly outcome: FinalOutcome;
}

export type JobState =
  | { readonly status: 'pending' }
  | { readonly status: 'completed'; readonly results: readonly JobRecordResult[] }
  | { readonly status: 'not_found' };

/** What the reconciler needs from a platform with asynchronous jobs. */
export interface AsyncJobReader {
  readJob(jobId: string, credentials: Readonly<Record<string, unknown>>): Promise<JobState>;
}

/** A platform's signed job-completion callback, as its connector reads it. */
export interface JobCallbackReader {
  /**
   * Checks the callback's signature with the tenant's credentials for the platform, then its
   * freshness (`nowSeconds` within `toleranceSeconds` of the signed time). `receipt` identifies the
   * signed request, so the same one arriving again can be told apart.
   */
  verifyCallback(check: {
    readonly credentials: Readonly<Record<string, unknown>>;
    readonly headers: Readonly<Record<string, string | string[] | undefined>>;
    readonly rawBody: Buffer;
    readonly nowSeconds: number;
    readonly toleranceSeconds: number;
  }): { readonly ok: true; readonly receipt: string } | { readonly ok: false; readonly reason: 'not_configured' | 'missing' | 'malformed' | 'mismatch' | 'stale' };
  /** The job and per-record outcomes the body reports, or null when it is not the platform's completion. */
  readCallback(rawBody: Buffer): { readonly jobId: string; readonly results: readonly JobRecordResult[] } | null;
}
