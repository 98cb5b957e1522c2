/**
 * The one error base of impact-in. Every failure that crosses a stage boundary is classified into
 * an {@link ImpactError} with a stable `code` from a closed list, so retries, dead-letter headers,
 * results and metrics all speak the same vocabulary. Messages are short reasons: never a payload,
 * never a secret.
 */
export const ERROR_CODES = {
  /** The message bytes could not be decoded (not JSON / not the wire format). */
  DECODE_FAILED: { retryable: false },
  /** The event decoded but broke the envelope or a semantic rule. */
  VALIDATION_FAILED: { retryable: false },
  /** The event's tenant is not configured. */
  UNKNOWN_TENANT: { retryable: false },
  /** The tenant reports to no platform that accepts this kind of event. */
  NOT_ROUTABLE: { retryable: false },
  /** The platform refused the record for good (4xx other than 408/429). */
  PLATFORM_REJECTED: { retryable: false },
  /** The platform refused our credentials. */
  PLATFORM_AUTH_FAILED: { retryable: true },
  /** The platform asked us to slow down (429). */
  PLATFORM_RATE_LIMITED: { retryable: true },
  /** The platform failed (5xx, 408). */
  PLATFORM_UNAVAILABLE: { retryable: true },
  /** A platform answer the contract does not allow. */
  PLATFORM_BAD_RESPONSE: { retryable: true },
  /** Network failure before any answer: refused, reset, DNS. */
  NETWORK_ERROR: { retryable: true },
  /** The request may have been applied: timeout or response lost after sending. */
  OUTCOME_UNKNOWN: { retryable: true },
  /** A dependency of ours (PostgreSQL, Redis, Kafka) failed. */
  DEPENDENCY_UNAVAILABLE: { retryable: true },
  /** The pre-send gate found personal data the policy does not allow in an outgoing request. */
  PII_BLOCKED: { retryable: false },
  /** The delivery used up its attempts. */
  ATTEMPTS_EXHAUSTED: { retryable: false },
  /** Configuration is missing or invalid. */
  CONFIG_INVALID: { retryable: false },
  /** The platform's circuit breaker is open: nothing was sent; the consumer waits for a probe. */
  CIRCUIT_OPEN: { retryable: true },
} as const satisfies Record<string, { retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ImpactErrorOptions {
  readonly cause?: unknown;
  readonly retryAfterMs?: number;
  /** Override the code's default retryability (rare: e.g. a 401 after a refresh is final). */
  readonly retryable?: boolean;
}

export class ImpactError extends Error {
  override readonly name = 'ImpactError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, reason: string, options: ImpactErrorOptions = {}) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isImpactError(error: unknown): error is ImpactError {
  return error instanceof ImpactError;
}

/** Short, payload-free description of any error, safe for logs, DLQ headers and results. */
export function errorReason(error: unknown): string {
  if (error instanceof ImpactError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
