import { describe, expect, it } from 'vitest';
import { ISO_4217_CODES } from '../../../src/domain/currencies.ts';
import { impactEventSchema, type ImpactEvent } from '../../../src/domain/event.ts';
import { ingestRuleViolation } from '../../../src/domain/ingest-rules.ts';
import { sampleEvents } from '../../../src/publisher/sample-events.ts';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const SKEW = 300_000;

const ofKind = (kind: ImpactEvent['kind']) =>
  impactEventSchema.parse({ ...sampleEvents(40, { tenants: ['acme'], seed: 5, now: NOW }).find((e) => e.kind === kind)!, eventId: '00000000-0000-4000-8000-000000000001' });

describe('ingest rules: nothing happened in the future', () => {
  it('accepts an event that occurred now, or within the clock skew ahead of us', () => {
    const event = ofKind('donation');
    expect(ingestRuleViolation({ ...event, occurredAt: NOW.toISOString() }, NOW, SKEW)).toBeNull();
    expect(ingestRuleViolation({ ...event, occurredAt: '2026-11-28T12:04:59.000Z' }, NOW, SKEW)).toBeNull();
  });

  it('refuses occurredAt beyond the skew, naming the field and not the value', () => {
    const error = ingestRuleViolation({ ...ofKind('donation'), occurredAt: '2026-11-28T12:05:01.000Z' }, NOW, SKEW);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', retryable: false });
    expect(error!.message).toContain('occurredAt');
    expect(error!.message).not.toContain('2026');
  });

  it('accepts an activity dated today anywhere on Earth, refuses one dated the day after', () => {
    const event = ofKind('volunteer_activity');
    const on = (activityDate: string) => ({ ...event, payload: { ...event.payload, activityDate } }) as ImpactEvent;
    // At 12:00 UTC it is already 2026-11-29 in Kiribati (UTC+14).
    expect(ingestRuleViolation(on('2026-11-29'), NOW, SKEW)).toBeNull();
    expect(ingestRuleViolation(on('2026-11-30'), NOW, SKEW)?.message).toBe('payload.activityDate: a date in the future');
  });

  it('checks an enrolment date the same way', () => {
    const event = ofKind('program_enrolment');
    const on = (enrolledOn: string) => ({ ...event, payload: { ...event.payload, enrolledOn } }) as ImpactEvent;
    expect(ingestRuleViolation(on('2026-11-01'), NOW, SKEW)).toBeNull();
    expect(ingestRuleViolation(on('2027-01-01'), NOW, SKEW)?.message).toBe('payload.enrolledOn: a date in the future');
  });
});

describe('contract: currency is an ISO 4217 code', () => {
  const donation = ofKind('donation');
  const withCurrency = (currency: string) => impactEventSchema.safeParse({ ...donation, payload: { ...donation.payload, currency } });

  it('accepts current codes', () => {
    for (const code of ['USD', 'EUR', 'GBP', 'JPY', 'INR', 'CHF']) expect(withCurrency(code).success).toBe(true);
    expect(ISO_4217_CODES.size).toBeGreaterThan(150);
  });

  it('refuses three capital letters that are not a currency, historic codes and lower case', () => {
    for (const code of ['ABC', 'XXX1', 'DEM', 'FRF', 'usd', 'US']) expect(withCurrency(code).success).toBe(false);
  });
});
