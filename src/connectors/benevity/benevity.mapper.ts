/** Maps a redacted impact event to Benevity's request bodies. Pure. */
import type { RedactedEvent } from '../../domain/redacted-event.ts';
import {
  BENEVITY_EVENT_METADATA_KEY,
  BENEVITY_IDEMPOTENCY_METADATA_KEY,
  type BenevityDonationRequest,
  type BenevityHoursRecord,
} from './benevity.schema.ts';

type DonationEvent = Extract<RedactedEvent, { kind: 'donation' }>;
type VolunteerEvent = Extract<RedactedEvent, { kind: 'volunteer_activity' }>;

/** The donor's contact, opened from the sealed contact only when the tenant turned receipts on. */
export interface DonorContact {
  readonly name?: string;
  readonly email?: string;
}

export function toBenevityDonation(
  event: DonationEvent,
  idempotencyKey: string,
  contact?: DonorContact,
): BenevityDonationRequest {
  const receipt = contact !== undefined && (contact.name !== undefined || contact.email !== undefined);
  return {
    amount: event.payload.amountMinor,
    currency: event.payload.currency,
    recipient: { charityId: event.payload.recipientId },
    donor: {
      pseudonymousId: event.subject.pseudonym,
      ...(receipt && contact.name !== undefined ? { name: contact.name } : {}),
      ...(receipt && contact.email !== undefined ? { email: contact.email } : {}),
    },
    ...(receipt ? { receiptRequested: true } : {}),
    donatedAt: event.occurredAt,
    ...(event.payload.campaignId === undefined ? {} : { campaignId: event.payload.campaignId }),
    metadata: {
      [BENEVITY_IDEMPOTENCY_METADATA_KEY]: idempotencyKey,
      [BENEVITY_EVENT_METADATA_KEY]: event.eventId,
      impactInKeyId: event.subject.keyId,
    },
  };
}

/** One volunteer-hours record of a bulk import; our idempotency key is its externalId. */
export function toBenevityHoursRecord(event: VolunteerEvent, idempotencyKey: string): BenevityHoursRecord {
  return {
    externalId: idempotencyKey,
    pseudonymousUserId: event.subject.pseudonym,
    hours: event.payload.hours,
    activityDate: event.payload.activityDate,
    activityName: event.payload.activityName,
    projectId: event.payload.projectId,
  };
}
