/** Rules shared by the per-message and the batch deliverer. Pure. */
import type { ImpactError } from '../domain/errors.ts';

/** Error codes raised before a request left the process: they do not count as attempts. */
export const NOT_SENT: ReadonlySet<string> = new Set(['PII_BLOCKED', 'CONFIG_INVALID', 'NOT_ROUTABLE']);

/**
 * Could the platform have applied a send that failed this way? Then the next attempt must look
 * the record up before sending again.
 */
export function mayHaveApplied(error: ImpactError): boolean {
  return error.code === 'OUTCOME_UNKNOWN' || error.code === 'PLATFORM_UNAVAILABLE' || error.code === 'PLATFORM_BAD_RESPONSE';
}
