/**
 * The redaction step: an input event in, the redacted event and its audit out. Applies the
 * policy's input treatments field by field (rebuilt, never spread, so an unlisted field cannot
 * slip through), pseudonymizes the employee id, seals donor contact for receipts, drops the rest,
 * and counts what it did per field and detector — counts only, never values.
 */
import { ID_FIELDS, type EventKind, type ImpactEvent } from '../domain/event.ts';
import { ImpactError } from '../domain/errors.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { scrubTextWith, withDetectors } from './detectors/index.ts';
import { denyListDetector } from './names/deny-list.ts';
import { subjectDetectors } from './names/subject-detector.ts';
import type { RedactionPolicy } from './policy/policy.ts';
import type { Pseudonymizer } from './pseudonym.ts';

/** Per field path, per action or detector, how many times. */
export type AuditCounts = Record<string, Record<string, number>>;

export interface RedactionAudit {
  readonly eventId: string;
  readonly tenantId: string;
  readonly kind: EventKind;
  readonly policyVersion: string;
  readonly keyId: string;
  readonly counts: AuditCounts;
}

export interface RedactOptions {
  /** The tenant's deny-list of names and terms (tenant policy). */
  readonly denyList?: readonly string[];
}

export interface Redactor {
  /**
   * Throws ImpactError VALIDATION_FAILED, naming the field and the kind of data, when an id field
   * holds personal data: an id is passed on as it is, so it is refused rather than scrubbed into
   * an id that names nothing (`prj-[PHONE]`).
   */
  redact(event: ImpactEvent, now: Date, options?: RedactOptions): { event: RedactedEvent; audit: RedactionAudit };
}

export const contactAssociatedData = (eventId: string) => `contact:${eventId}`;

export function createRedactor(policy: RedactionPolicy, pseudonymizer: Pseudonymizer, contactBox: SecretBox): Redactor {
  return {
    redact(event, now, options = {}) {
      const counts: AuditCounts = {};
      // What the event says about its subject, and the tenant's own terms, are looked for in every
      // string next to the shared detectors.
      const denied = denyListDetector(options.denyList);
      const subjectOwn = subjectDetectors(event.subject);
      const detectors = withDetectors(denied ? [...subjectOwn, denied] : subjectOwn);
      const count = (field: string, what: string, n = 1) => {
        const perField = (counts[field] ??= {});
        perField[what] = (perField[what] ?? 0) + n;
      };

      const scrub = (field: string, value: string, isId = false) => {
        const scrubbed = scrubTextWith(value, detectors);
        const found = Object.keys(scrubbed.counts);
        if (isId && found.length > 0) {
          throw new ImpactError('VALIDATION_FAILED', `${field}: an id that holds personal data (${found.join(', ')})`);
        }
        for (const [detector, n] of Object.entries(scrubbed.counts)) count(field, detector, n ?? 0);
        return scrubbed.text;
      };
      const payload: Record<string, unknown> = {};
      const treatments = policy.input[event.kind];
      for (const [field, value] of Object.entries(event.payload as Record<string, unknown>)) {
        const treatment = treatments[field] ?? 'drop';
        if (value === undefined || treatment === 'drop') {
          if (value !== undefined) count(`payload.${field}`, 'dropped');
          continue;
        }
        // Every string is scrubbed, structured ones too: the allow-list is the first line of
        // defence, the detectors the second (an email typed into a free-text field must not leave).
        // An id is passed on as it is: one that holds personal data is refused, not scrubbed.
        payload[field] = typeof value === 'string' ? scrub(`payload.${field}`, value, ID_FIELDS.has(field)) : value;
      }

      const { subject } = event;
      count('subject.employeeId', 'pseudonymized');
      let contact: { sealed: string; keyId: string } | undefined;
      if (event.kind === 'donation' && (subject.name !== undefined || subject.email !== undefined)) {
        const sealed = contactBox.seal(
          JSON.stringify({ name: subject.name, email: subject.email }),
          contactAssociatedData(event.eventId),
        );
        contact = { sealed: sealed.sealed.toString('base64'), keyId: sealed.keyId };
        if (subject.name !== undefined) count('subject.name', 'sealed');
        if (subject.email !== undefined) count('subject.email', 'sealed');
      } else {
        if (subject.name !== undefined) count('subject.name', 'dropped');
        if (subject.email !== undefined) count('subject.email', 'dropped');
      }
      if (subject.phone !== undefined) count('subject.phone', 'dropped');

      const redacted = {
        eventId: event.eventId,
        kind: event.kind,
        tenantId: event.tenantId,
        occurredAt: event.occurredAt,
        source: scrub('source', event.source),
        subject: {
          pseudonym: pseudonymizer.pseudonym(event.tenantId, subject.employeeId),
          keyId: pseudonymizer.keyId,
        },
        payload,
        ...(contact ? { contact } : {}),
        redaction: { policyVersion: policy.version, redactedAt: now.toISOString() },
      } as RedactedEvent;
      return {
        event: redacted,
        audit: {
          eventId: event.eventId,
          tenantId: event.tenantId,
          kind: event.kind,
          policyVersion: policy.version,
          keyId: pseudonymizer.keyId,
          counts,
        },
      };
    },
  };
}
