/**
 * The impact event: the contract domain services publish to the input topic. The zod schema is
 * the single source of the TypeScript types (`z.infer`), so the two cannot drift apart.
 */
import { z } from 'zod';
import { isIso4217 } from './currencies.ts';

export const EVENT_KINDS = ['volunteer_activity', 'donation', 'program_enrolment', 'program_outcome'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The employee's own id: any opaque string of the HR system; it never leaves (keyed pseudonym). */
const employeeId = z.string().min(1).max(128);
/**
 * Ids that leave as they are (projects, organisations, recipients, programs, campaigns): a letter
 * or digit, then letters, digits, `.`, `_`, `:` or `-`, at most 128 characters. No spaces, `@`,
 * `+`, brackets or other scripts: an id is a code, not text. (Avro cannot say this; zod holds
 * it. The redactor also passes every id through the detectors and dead-letters an id that
 * holds personal data, e.g. `prj-555-123-4567`.)
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const id = z
  .string()
  .regex(ID_PATTERN, 'not an id: a letter or digit, then letters, digits, ".", "_", ":" or "-", at most 128 characters');
const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });

/** Who the event is about. Only `employeeId` survives redaction, as a keyed pseudonym. */
export const subjectSchema = z.strictObject({
  employeeId,
  name: z.string().max(256).optional(),
  email: z.string().max(320).optional(),
  phone: z.string().max(64).optional(),
});

export const volunteerActivitySchema = z.strictObject({
  activityName: z.string().min(1).max(256),
  hours: z.number().gt(0).lte(24),
  activityDate: isoDate,
  projectId: id,
  organizationId: id,
  description: z.string().max(4000).optional(),
});

export const donationSchema = z.strictObject({
  amountMinor: z.number().int().gt(0),
  currency: z.string().refine(isIso4217, 'not an ISO 4217 currency code'),
  recipientId: id,
  campaignId: id.optional(),
  projectId: id.optional(),
  note: z.string().max(4000).optional(),
});

export const programEnrolmentSchema = z.strictObject({
  programId: id,
  programName: z.string().min(1).max(256),
  enrolledOn: isoDate,
  cohort: z.string().max(128).optional(),
});

export const programOutcomeSchema = z.strictObject({
  programId: id,
  outcome: z.string().min(1).max(128),
  value: z.number().finite().min(0),
  unit: z.string().min(1).max(32),
  notes: z.string().max(4000).optional(),
});

const envelope = {
  eventId: z.uuid(),
  tenantId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase tenant slug'),
  occurredAt: isoDateTime,
  source: z.string().min(1).max(128),
  subject: subjectSchema,
};

export const impactEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...envelope, kind: z.literal('volunteer_activity'), payload: volunteerActivitySchema }),
  z.strictObject({ ...envelope, kind: z.literal('donation'), payload: donationSchema }),
  z.strictObject({ ...envelope, kind: z.literal('program_enrolment'), payload: programEnrolmentSchema }),
  z.strictObject({ ...envelope, kind: z.literal('program_outcome'), payload: programOutcomeSchema }),
]);

export type ImpactEvent = z.infer<typeof impactEventSchema>;

/** Payload fields that hold ids of the shape above: they leave as they are, so they may hold no personal data. */
export const ID_FIELDS: ReadonlySet<string> = new Set(['projectId', 'organizationId', 'recipientId', 'programId', 'campaignId']);

/** The payload schema of each kind (the redaction policy is validated against these). */
export const PAYLOAD_SCHEMAS = {
  volunteer_activity: volunteerActivitySchema,
  donation: donationSchema,
  program_enrolment: programEnrolmentSchema,
  program_outcome: programOutcomeSchema,
} as const satisfies Record<EventKind, z.ZodObject>;

const fieldKeys = Object.fromEntries(
  EVENT_KINDS.map((kind) => {
    const entries = Object.entries(PAYLOAD_SCHEMAS[kind].shape as Record<string, z.ZodType>);
    const isOptional = (schema: z.ZodType) => schema.safeParse(undefined).success;
    return [
      kind,
      {
        required: entries.filter(([, schema]) => !isOptional(schema)).map(([field]) => field),
        optional: entries.filter(([, schema]) => isOptional(schema)).map(([field]) => field),
      },
    ];
  }),
) as Record<EventKind, { required: string[]; optional: string[] }>;

/** Required and optional payload field names of a kind, computed once from the schemas. */
export function payloadFieldKeys(kind: EventKind): { required: readonly string[]; optional: readonly string[] } {
  return fieldKeys[kind];
}
export type Subject = z.infer<typeof subjectSchema>;

/** Events of one (tenant, subject) keep their order: they share this partition key everywhere. */
export function orderingKey(event: { tenantId: string; subject: { employeeId: string } | { pseudonym: string } }): string {
  const subject = 'employeeId' in event.subject ? event.subject.employeeId : event.subject.pseudonym;
  return `${event.tenantId}:${subject}`;
}
