/**
 * HTTP outcomes and network failures classified into ImpactErrors, in one place for every
 * connector. The key distinction: did the request possibly reach the platform? Failures before
 * the request was written (connect refused/timeout, DNS) are plain NETWORK_ERRORs; failures after
 * (headers/body timeout, reset, socket closed) leave the outcome unknown — the record may exist.
 */
import { ImpactError } from '../domain/errors.ts';
import { SendWindowClosedError } from './send-window.ts';

export function classifyStatus(status: number, reason: string, retryAfter?: string | string[]): ImpactError {
  const retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  if (status === 429) return new ImpactError('PLATFORM_RATE_LIMITED', reason, { retryAfterMs });
  if (status === 401 || status === 403) return new ImpactError('PLATFORM_AUTH_FAILED', reason);
  if (status === 408 || status >= 500) return new ImpactError('PLATFORM_UNAVAILABLE', reason, { retryAfterMs });
  return new ImpactError('PLATFORM_REJECTED', reason);
}

const BEFORE_SEND = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_PRIVATE_ADDRESS',
]);

/** What a connector throws when its request failed: a send refused by its window (nothing sent) as it is, anything else classified. */
export function requestFailure(error: unknown): ImpactError | SendWindowClosedError {
  return error instanceof SendWindowClosedError ? error : classifyNetworkError(error);
}

export function classifyNetworkError(error: unknown): ImpactError {
  if (error instanceof ImpactError) return error;
  const code = networkCode(error);
  if (code === 'ERR_PRIVATE_ADDRESS') {
    return new ImpactError('NETWORK_ERROR', 'destination address refused by the outbound guard', {
      cause: error,
      retryable: false,
    });
  }
  if (code && BEFORE_SEND.has(code)) return new ImpactError('NETWORK_ERROR', code, { cause: error });
  return new ImpactError('OUTCOME_UNKNOWN', code ?? 'request failed after it was sent', { cause: error });
}

function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
