/** Maps a redacted impact event to a Goodera impact record. Pure. */
import type { RedactedEvent } from '../../domain/redacted-event.ts';
import type { GooderaCredentials, GooderaImpactRecord } from './goodera.schema.ts';

export function toGooderaRecord(
  event: RedactedEvent,
  idempotencyKey: string,
  credentials: GooderaCredentials,
): GooderaImpactRecord {
  const common = {
    externalId: idempotencyKey,
    organizationId: credentials.organizationId,
    reportingPeriod: event.occurredAt.slice(0, 7),
    occurredAt: event.occurredAt,
    participantId: event.subject.pseudonym,
    metadata: { impactInEventId: event.eventId, impactInKeyId: event.subject.keyId },
  };
  switch (event.kind) {
    case 'volunteer_activity':
      return {
        ...common,
        recordType: 'volunteer_participation',
        projectId: event.payload.projectId,
        organizationId: event.payload.organizationId,
        impactDimensions: [{ name: 'volunteer_hours', value: event.payload.hours, unit: 'hours' }],
      };
    case 'donation':
      return {
        ...common,
        recordType: 'donation',
        projectId: event.payload.projectId ?? event.payload.campaignId ?? event.payload.recipientId,
        impactDimensions: [
          { name: 'donation_amount', value: event.payload.amountMinor, unit: `${event.payload.currency}_minor` },
        ],
      };
    case 'program_enrolment':
      return {
        ...common,
        recordType: 'program_enrolment',
        projectId: event.payload.programId,
        impactDimensions: [{ name: 'enrolments', value: 1, unit: 'participants' }],
      };
    case 'program_outcome':
      return {
        ...common,
        recordType: 'program_outcome',
        projectId: event.payload.programId,
        impactDimensions: [{ name: event.payload.outcome, value: event.payload.value, unit: event.payload.unit }],
      };
  }
}
