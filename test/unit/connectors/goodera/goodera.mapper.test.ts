import { describe, expect, it } from 'vitest';
import { toGooderaRecord } from '../../../../src/connectors/goodera/goodera.mapper.ts';
import { GOODERA_RECORD_TYPES } from '../../../../src/connectors/goodera/goodera.schema.ts';
import type { ImpactEvent } from '../../../../src/domain/event.ts';
import { impactEventOf, impactEvents } from '../../fixtures.ts';
import { redact, redactedOf } from '../../redacted-fixtures.ts';

const KEY = 'a'.repeat(64);
const credentials = { apiKey: 'gd-test-key-0001', organizationId: 'org-tenant-default' };

describe('toGooderaRecord', () => {
  it('maps a volunteer activity to volunteer_participation with hours, keeping its organization', () => {
    const { event } = redactedOf('volunteer_activity');
    const record = toGooderaRecord(event, KEY, credentials);
    expect(record.recordType).toBe('volunteer_participation');
    expect(record.projectId).toBe(event.payload.projectId);
    expect(record.organizationId).toBe(event.payload.organizationId);
    expect(record.organizationId).not.toBe('org-tenant-default');
    expect(record.impactDimensions).toEqual([{ name: 'volunteer_hours', value: event.payload.hours, unit: 'hours' }]);
  });

  it('maps a donation to donation with the amount in minor units of its currency', () => {
    const { event } = redactedOf('donation');
    const record = toGooderaRecord(event, KEY, credentials);
    expect(record.recordType).toBe('donation');
    expect(record.organizationId).toBe('org-tenant-default');
    expect(record.impactDimensions).toEqual([
      { name: 'donation_amount', value: event.payload.amountMinor, unit: `${event.payload.currency}_minor` },
    ]);
  });

  it('takes a donation\'s project from projectId, then campaignId, then recipientId', () => {
    const { input } = redactedOf('donation');
    const withPayload = (payload: Record<string, unknown>) =>
      toGooderaRecord(redact({ ...input, payload: { amountMinor: 1000, currency: 'EUR', recipientId: 'charity-3', ...payload } } as ImpactEvent), KEY, credentials);
    expect(withPayload({ projectId: 'prj-9', campaignId: 'cmp-1' }).projectId).toBe('prj-9');
    expect(withPayload({ campaignId: 'cmp-1' }).projectId).toBe('cmp-1');
    expect(withPayload({}).projectId).toBe('charity-3');
  });

  it('maps a programme enrolment to one enrolment on the programme', () => {
    const { event } = redactedOf('program_enrolment');
    const record = toGooderaRecord(event, KEY, credentials);
    expect(record.recordType).toBe('program_enrolment');
    expect(record.projectId).toBe(event.payload.programId);
    expect(record.impactDimensions).toEqual([{ name: 'enrolments', value: 1, unit: 'participants' }]);
  });

  it('maps a programme outcome to its named dimension', () => {
    const { event } = redactedOf('program_outcome');
    const record = toGooderaRecord(event, KEY, credentials);
    expect(record.recordType).toBe('program_outcome');
    expect(record.projectId).toBe(event.payload.programId);
    expect(record.impactDimensions).toEqual([
      { name: 'sessions_completed', value: event.payload.value, unit: 'sessions' },
    ]);
  });

  it('carries the idempotency key, the event id, the pseudonym and the month of every kind', () => {
    const events = impactEvents(8).map(redact);
    expect(new Set(events.map((e) => e.kind)).size).toBe(4);
    for (const event of events) {
      const record = toGooderaRecord(event, KEY, credentials);
      expect(GOODERA_RECORD_TYPES).toContain(record.recordType);
      expect(record.externalId).toBe(KEY);
      expect(record.metadata).toEqual({ impactInEventId: event.eventId, impactInKeyId: 'p1' });
      expect(record.participantId).toBe(event.subject.pseudonym);
      expect(record.participantId).toMatch(/^[0-9a-f]{64}$/);
      expect(record.occurredAt).toBe(event.occurredAt);
      expect(record.reportingPeriod).toBe(event.occurredAt.slice(0, 7));
    }
  });

  it('puts the month of occurrence in reportingPeriod', () => {
    const input = impactEventOf('program_outcome');
    const record = toGooderaRecord(redact({ ...input, occurredAt: '2026-03-31T23:30:00.000Z' }), KEY, credentials);
    expect(record.reportingPeriod).toBe('2026-03');
  });

  it('holds no name, email, phone or employee id of the subject in any field', () => {
    for (const input of impactEvents(8)) {
      const body = JSON.stringify(toGooderaRecord(redact(input), KEY, credentials));
      for (const value of [input.subject.name!, input.subject.email!, input.subject.phone!, input.subject.employeeId]) {
        expect(body).not.toContain(value);
      }
    }
  });
});
