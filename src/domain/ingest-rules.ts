/**
 * The contract's rules that depend on when an event arrives, so they cannot live in the static
 * schema: nothing may have happened in the future. `occurredAt` may lead our clock by at most the
 * skew; a calendar date (an activity's day, an enrolment's) may be at most the date it already is
 * somewhere on Earth (UTC+14) at that moment. Pure; reasons name fields, never values.
 */
import { ImpactError } from './errors.ts';
import type { ImpactEvent } from './event.ts';

/** The furthest east time zone: a date there is the latest date it can be anywhere. */
const MAX_UTC_OFFSET_MS = 14 * 3600_000;

const DATE_FIELDS = ['activityDate', 'enrolledOn'] as const;

/** A VALIDATION_FAILED error naming the first rule the event breaks, or null. */
export function ingestRuleViolation(event: ImpactEvent, now: Date, futureSkewMs: number): ImpactError | null {
  const latest = now.getTime() + futureSkewMs;
  if (Date.parse(event.occurredAt) > latest) {
    return new ImpactError('VALIDATION_FAILED', `occurredAt: more than ${Math.round(futureSkewMs / 1000)} s in the future`);
  }
  const latestDate = new Date(latest + MAX_UTC_OFFSET_MS).toISOString().slice(0, 10);
  const payload = event.payload as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    const value = payload[field];
    if (typeof value === 'string' && value > latestDate) {
      return new ImpactError('VALIDATION_FAILED', `payload.${field}: a date in the future`);
    }
  }
  return null;
}
