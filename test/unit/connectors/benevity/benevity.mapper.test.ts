import { describe, expect, it } from 'vitest';
import { toBenevityDonation, toBenevityHoursRecord } from '../../../../src/connectors/benevity/benevity.mapper.ts';
import { donationSchema, hoursRecordSchema } from '../../../../src/simulators/benevity/benevity.contract.ts';
import { redactedOf } from '../../redacted-fixtures.ts';

const KEY = 'b'.repeat(64);

describe('toBenevityDonation', () => {
  it('maps amount in minor units, currency, charity, pseudonymous donor and carries our key and event id in metadata', () => {
    const { event } = redactedOf('donation');
    const body = toBenevityDonation(event, KEY);
    expect(body).toMatchObject({
      amount: event.payload.amountMinor,
      currency: event.payload.currency,
      recipient: { charityId: event.payload.recipientId },
      donor: { pseudonymousId: event.subject.pseudonym },
      donatedAt: event.occurredAt,
      metadata: { impactInIdempotencyKey: KEY, impactInEventId: event.eventId, impactInKeyId: event.subject.keyId },
    });
    expect(body.receiptRequested).toBeUndefined();
    expect(Object.keys(body.donor)).toEqual(['pseudonymousId']);
    expect(donationSchema.safeParse(body).success).toBe(true);
  });

  it('adds the donor contact and asks for a receipt only when a contact is given', () => {
    const { event } = redactedOf('donation');
    const body = toBenevityDonation(event, KEY, { name: 'Ada Lovelace', email: 'ada@example.org' });
    expect(body).toMatchObject({ receiptRequested: true, donor: { name: 'Ada Lovelace', email: 'ada@example.org' } });
    expect(donationSchema.safeParse(body).success).toBe(true);
    expect(toBenevityDonation(event, KEY, {}).receiptRequested).toBeUndefined();
  });

  it('keeps the campaign when the view has one and leaves out fields Benevity does not take', () => {
    const { event } = redactedOf('donation');
    const withCampaign = { ...event, payload: { ...event.payload, campaignId: 'cmp-7', note: 'free text' } };
    const body = toBenevityDonation(withCampaign, KEY);
    expect(body.campaignId).toBe('cmp-7');
    expect(JSON.stringify(body)).not.toContain('free text');
  });
});

describe('toBenevityHoursRecord', () => {
  it('maps an activity to one import record whose externalId is our key', () => {
    const { event } = redactedOf('volunteer_activity');
    const record = toBenevityHoursRecord(event, KEY);
    expect(record).toEqual({
      externalId: KEY,
      pseudonymousUserId: event.subject.pseudonym,
      hours: event.payload.hours,
      activityDate: event.payload.activityDate,
      activityName: event.payload.activityName,
      projectId: event.payload.projectId,
    });
    expect(hoursRecordSchema.safeParse(record).success).toBe(true);
  });
});
