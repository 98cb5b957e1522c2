/**
 * The redacted event: what leaves the redaction stage. The subject is reduced to a keyed
 * pseudonym; names, emails and phones are gone. Built from the same payload schemas as the input
 * event, so a payload change is one edit.
 */
import { z } from 'zod';
import {
  donationSchema,
  programEnrolmentSchema,
  programOutcomeSchema,
  volunteerActivitySchema,
} from './event.ts';

export const redactedSubjectSchema = z.strictObject({
  /** HMAC-SHA-256 of the employee id under the tenant's derived key, hex. */
  pseudonym: z.string().regex(/^[0-9a-f]{64}$/),
  /** Which pseudonym key produced it, so keys can rotate. */
  keyId: z.string().min(1).max(64),
});

/**
 * Donor contact details, sealed (AES-256-GCM, the event id bound as associated data). Present only
 * on donations, only so Benevity can send a receipt when the tenant's policy turns receipts on;
 * nobody else can read it, and the redacted topic carries no readable personal data.
 */
export const sealedContactSchema = z.strictObject({
  sealed: z.base64(),
  keyId: z.string().min(1).max(64),
});

export const redactionInfoSchema = z.strictObject({
  policyVersion: z.string().min(1),
  redactedAt: z.iso.datetime({ offset: true }),
});

const envelope = {
  eventId: z.uuid(),
  tenantId: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  subject: redactedSubjectSchema,
  redaction: redactionInfoSchema,
};

export const redactedEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...envelope, kind: z.literal('volunteer_activity'), payload: volunteerActivitySchema }),
  z.strictObject({ ...envelope, kind: z.literal('donation'), payload: donationSchema, contact: sealedContactSchema.optional() }),
  z.strictObject({ ...envelope, kind: z.literal('program_enrolment'), payload: programEnrolmentSchema }),
  z.strictObject({ ...envelope, kind: z.literal('program_outcome'), payload: programOutcomeSchema }),
]);

export type RedactedEvent = z.infer<typeof redactedEventSchema>;
