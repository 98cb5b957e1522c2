import { z } from 'zod';
import { findPersonalData, personalDataDetails } from '../common/personal-data.ts';

/**
 * The Benevity contract as the simulator enforces it: donations one by one, volunteer hours through
 * an async bulk import. Strict objects, so a connector sending a field Benevity does not know finds
 * out here, not in production.
 */
export const BENEVITY_IDEMPOTENCY_METADATA_KEY = 'impactInIdempotencyKey';
export const BENEVITY_MAX_METADATA_PAIRS = 100;
export const BENEVITY_MAX_IMPORT_RECORDS = 1000;

const isoDate = z.iso.date(); // YYYY-MM-DD, a real calendar date

export const donationSchema = z.strictObject({
  amount: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR'),
  recipient: z.strictObject({ charityId: z.string().min(1).max(128) }),
  donor: z.strictObject({
    pseudonymousId: z.string().min(1).max(128),
    name: z.string().min(1).max(200).optional(),
    email: z.email().optional(),
  }),
  receiptRequested: z.boolean().optional(),
  donatedAt: z.iso.datetime({ offset: true }),
  campaignId: z.string().min(1).max(128).optional(),
  metadata: z
    .record(z.string().min(1).max(40), z.string().max(500))
    .refine((metadata) => Object.keys(metadata).length >= 1, { message: 'at least 1 metadata pair' })
    .refine((metadata) => Object.keys(metadata).length <= BENEVITY_MAX_METADATA_PAIRS, {
      message: `at most ${BENEVITY_MAX_METADATA_PAIRS} metadata pairs`,
    })
    .refine((metadata) => (metadata[BENEVITY_IDEMPOTENCY_METADATA_KEY] ?? '').length > 0, {
      message: `${BENEVITY_IDEMPOTENCY_METADATA_KEY} is required`,
      path: [BENEVITY_IDEMPOTENCY_METADATA_KEY],
    }),
});
export type BenevityDonation = z.infer<typeof donationSchema>;

export interface BenevityStoredDonation extends BenevityDonation {
  readonly id: string;
  readonly status: 'accepted';
  readonly createdAt: string;
}

export const hoursRecordSchema = z.strictObject({
  externalId: z.string().min(1).max(128),
  pseudonymousUserId: z.string().min(1).max(128),
  hours: z.number().positive().max(24),
  activityDate: isoDate,
  activityName: z.string().min(1).max(200),
  projectId: z.string().min(1).max(128).optional(),
});
export type BenevityHoursRecord = z.infer<typeof hoursRecordSchema>;

export interface BenevityStoredHours extends BenevityHoursRecord {
  readonly id: string;
  readonly jobId: string;
  readonly createdAt: string;
}

/** Only the envelope: each record is validated on its own when the job runs. */
export const importRequestSchema = z.strictObject({
  callbackUrl: z.url({ protocol: /^https?$/ }),
  records: z.array(z.unknown()).min(1).max(BENEVITY_MAX_IMPORT_RECORDS),
});

export interface ValidationDetail {
  readonly path: string;
  readonly message: string;
}

export interface ContractError {
  readonly code: 'validation_failed' | 'personal_data_rejected';
  readonly message: string;
  readonly details: ValidationDetail[];
}

export type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ContractError };

export function formatIssues(issues: readonly z.core.$ZodIssue[]): ValidationDetail[] {
  const join = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(root)';
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'unknown field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
}

/** Personal-data screen first (it applies to anything, valid or not), then the schema. */
function check<T>(input: unknown, schema: z.ZodType<T>, what: string, allowedPaths?: ReadonlySet<string>): Check<T> {
  const findings = findPersonalData(input, allowedPaths === undefined ? {} : { allowedPaths });
  if (findings.length > 0) {
    const details = personalDataDetails(findings);
    const message = `the ${what} holds personal data: ${details.map((d) => d.path).join(', ')}`;
    return { ok: false, error: { code: 'personal_data_rejected', message, details } };
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const details = formatIssues(parsed.error.issues);
    const message = `invalid ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`;
    return { ok: false, error: { code: 'validation_failed', message, details } };
  }
  return { ok: true, value: parsed.data };
}

/** Donor name and email may leave only for a receipt the donor asked for. */
const RECEIPT_PATHS: ReadonlySet<string> = new Set(['donor.name', 'donor.email']);

export function checkDonation(input: unknown): Check<BenevityDonation> {
  const receipt = isObject(input) && input['receiptRequested'] === true;
  return check(input, donationSchema, 'donation', receipt ? RECEIPT_PATHS : undefined);
}

export function checkHoursRecord(input: unknown): Check<BenevityHoursRecord> {
  return check(input, hoursRecordSchema, 'volunteer hours record');
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
