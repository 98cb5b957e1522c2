/**
 * The redaction step, pure: an input event in, the redacted event out. Structured personal
 * fields of the subject (name, email, phone) are dropped; the employee id becomes a pseudonym.
 */
import type { ImpactEvent } from '../domain/event.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import type { Pseudonymizer } from './pseudonym.ts';

export const REDACTION_POLICY_VERSION = '2026-11-28.1';

export function redactEvent(event: ImpactEvent, pseudonymizer: Pseudonymizer, now: Date): RedactedEvent {
  // Rebuilt field by field (not spread) so a field added to the input subject is dropped by default.
  return {
    eventId: event.eventId,
    kind: event.kind,
    tenantId: event.tenantId,
    occurredAt: event.occurredAt,
    source: event.source,
    subject: {
      pseudonym: pseudonymizer.pseudonym(event.tenantId, event.subject.employeeId),
      keyId: pseudonymizer.keyId,
    },
    payload: event.payload,
    redaction: { policyVersion: REDACTION_POLICY_VERSION, redactedAt: now.toISOString() },
  } as RedactedEvent;
}
