import { z } from 'zod';

/**
 * The Goodera impact-records contract as the simulator enforces it. Strict at the top level and in
 * each impact dimension, so a connector that sends a field Goodera does not know finds out here,
 * not in production.
 */
export const GOODERA_RECORD_TYPES = [
  'volunteer_participation',
  'donation',
  'program_enrolment',
  'program_outcome',
] as const;
export type GooderaRecordType = (typeof GOODERA_RECORD_TYPES)[number];

/** Records per batch request; more is answered with 413 `batch_too_large`. */
export const GOODERA_MAX_BATCH = 100;
export const GOODERA_MAX_METADATA_PAIRS = 50;

export const impactDimensionSchema = z.strictObject({
  name: z.string().min(1).max(64),
  value: z.number().min(0), // zod v4 numbers reject Infinity and NaN
  unit: z.string().min(1).max(32),
});

export const impactRecordSchema = z.strictObject({
  externalId: z.string().min(1).max(128),
  recordType: z.enum(GOODERA_RECORD_TYPES),
  projectId: z.string().min(1).max(64),
  organizationId: z.string().min(1).max(64),
  reportingPeriod: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'),
  occurredAt: z.iso.datetime({ offset: true }),
  participantId: z.string().min(1).max(128).optional(),
  impactDimensions: z.array(impactDimensionSchema).min(1).max(20),
  metadata: z
    .record(z.string(), z.string().max(256))
    .refine((metadata) => Object.keys(metadata).length <= GOODERA_MAX_METADATA_PAIRS, {
      message: `at most ${GOODERA_MAX_METADATA_PAIRS} metadata pairs`,
    })
    .optional(),
});
export type GooderaImpactRecord = z.infer<typeof impactRecordSchema>;

/** Only the envelope: each record is validated on its own so one bad record rejects only itself. */
export const batchRequestSchema = z.strictObject({
  records: z.array(z.unknown()).min(1),
});

/** What Goodera stores and returns on lookup. */
export interface GooderaStoredRecord extends GooderaImpactRecord {
  readonly id: string;
  readonly createdAt: string;
}

export interface ValidationDetail {
  readonly path: string;
  readonly message: string;
}

export interface ContractError {
  readonly code: 'validation_failed' | 'personal_data_rejected';
  readonly message: string;
  readonly details: ValidationDetail[];
}

export type RecordCheck =
  | { readonly ok: true; readonly record: GooderaImpactRecord }
  | { readonly ok: false; readonly error: ContractError };

// Deliberately simple: the pipeline must never send anything that even looks like an email.
const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/** Paths (never values) of every key or string value that looks like an email address. */
export function findPersonalData(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return EMAIL_PATTERN.test(value) ? [path || '(root)'] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => findPersonalData(item, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      // A key that is itself an email must not leak into the path we report.
      const keyIsEmail = EMAIL_PATTERN.test(key);
      const segment = keyIsEmail ? '<email-like key>' : key;
      const itemPath = path === '' ? segment : `${path}.${segment}`;
      return [...(keyIsEmail ? [itemPath] : []), ...findPersonalData(item, itemPath)];
    });
  }
  return [];
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): ValidationDetail[] {
  const join = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(root)';
  return issues.flatMap((issue) =>
    // zod reports unknown keys on the parent; name each key so the caller sees which field.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'unknown field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
}

/** Personal-data screen first (it applies to anything, valid or not), then the schema. */
export function checkRecord(input: unknown): RecordCheck {
  const personal = findPersonalData(input);
  if (personal.length > 0) {
    return {
      ok: false,
      error: {
        code: 'personal_data_rejected',
        message: 'the record contains what looks like an email address',
        details: personal.map((path) => ({ path, message: 'looks like an email address' })),
      },
    };
  }
  const parsed = impactRecordSchema.safeParse(input);
  if (!parsed.success) {
    const details = formatIssues(parsed.error.issues);
    const message = `invalid impact record: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`;
    return { ok: false, error: { code: 'validation_failed', message, details } };
  }
  return { ok: true, record: parsed.data };
}
