/** Rules of the delivery stage (src/consumers/deliverer.consumer.ts): what counts as an attempt, what may have been applied, how long to settle. Pure. */
import { setTimeout as sleep } from 'node:timers/promises';
import { isImpactError, type ImpactError } from '../domain/errors.ts';

/** Error codes raised before a request left the process: they do not count as attempts. */
export const NOT_SENT: ReadonlySet<string> = new Set(['PII_BLOCKED', 'CONFIG_INVALID', 'NOT_ROUTABLE', 'CIRCUIT_OPEN']);

/**
 * The platform's circuit breaker is open: nothing was sent, the record is not at fault. The
 * handler rejects with it, and the consumer pauses the partition until the breaker lets a probe
 * through (src/breaker/) — never a retry count, never a dead letter.
 */
export function isCircuitOpen(error: ImpactError): boolean {
  return error.code === 'CIRCUIT_OPEN';
}

/** CIRCUIT_OPEN raised by the send that opened the breaker: that request did leave (an attempt). */
export function sentBeforeOpen(error: ImpactError): boolean {
  return isCircuitOpen(error) && isImpactError(error.cause);
}

/** Whether a failed call counts as an attempt of the record. */
export function countsAsAttempt(error: ImpactError): boolean {
  return !NOT_SENT.has(error.code) || sentBeforeOpen(error);
}

/** How a failed attempt ended, for its history: the send that opened the breaker ended with its cause. */
export function attemptResult(error: ImpactError): string {
  return sentBeforeOpen(error) ? (error.cause as ImpactError).code : error.code;
}

/**
 * Could the platform have applied a send that failed this way? Then the next attempt must look
 * the record up before sending again.
 */
export function mayHaveApplied(error: ImpactError): boolean {
  if (sentBeforeOpen(error)) return mayHaveApplied(error.cause as ImpactError);
  return error.code === 'OUTCOME_UNKNOWN' || error.code === 'PLATFORM_UNAVAILABLE' || error.code === 'PLATFORM_BAD_RESPONSE';
}

/**
 * Waits `ms` inside a handler, heartbeating each second so a long back-off does not get the member
 * evicted from its group (and the partition moved mid-delivery); returns early on abort.
 */
export async function waitWithHeartbeat(ms: number, signal: AbortSignal, heartbeat?: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !signal.aborted) {
    await sleep(Math.min(1_000, until - Date.now()), undefined, { signal }).catch(() => undefined);
    await heartbeat?.();
  }
}

/**
 * How long to wait before looking up a record whose send ended without an answer (a timeout or a
 * reset after the request was written). The platform may still be working on that request: a
 * lookup that overtakes it finds nothing, and the re-send doubles the record. So the first
 * look-up waits at least `settleMs` (DELIVERY_UNKNOWN_SETTLE_MS, by default the request timeout:
 * the longest we allow the platform to take to apply a write) after the failed send. A 5xx needs
 * no such wait: the platform answered, it is done with it.
 */
export function settleDelayMs(error: ImpactError, sending: boolean, settleMs: number): number {
  return sending && attemptResult(error) === 'OUTCOME_UNKNOWN' ? settleMs : 0;
}
