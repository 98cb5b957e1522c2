/**
 * Maps a redacted impact event to a Workday write on the worker. The worker id is the event's
 * keyed-HMAC pseudonym; our idempotency key is the record's `externalKey`, which the lookup finds.
 * Pure.
 */
import type { RedactedEvent } from '../../domain/redacted-event.ts';
import { ImpactError } from '../../domain/errors.ts';
import type { WorkdayWrite } from './workday.schema.ts';

export function toWorkdayWrite(event: RedactedEvent, idempotencyKey: string): WorkdayWrite {
  const workerId = event.subject.pseudonym;
  switch (event.kind) {
    case 'volunteer_activity':
      return {
        collection: 'volunteerActivities',
        workerId,
        body: {
          externalKey: idempotencyKey,
          activityDate: event.payload.activityDate,
          hours: event.payload.hours,
          activityName: event.payload.activityName.slice(0, 200),
          organization: event.payload.organizationId,
        },
      };
    case 'program_enrolment':
      return {
        collection: 'programEnrollments',
        workerId,
        body: {
          externalKey: idempotencyKey,
          programId: event.payload.programId,
          programName: event.payload.programName.slice(0, 200),
          enrolledOn: event.payload.enrolledOn,
          ...(event.payload.cohort ? { cohort: event.payload.cohort } : {}),
        },
      };
    default:
      throw new ImpactError('NOT_ROUTABLE', `workday takes no ${event.kind} events`, { retryable: false });
  }
}
