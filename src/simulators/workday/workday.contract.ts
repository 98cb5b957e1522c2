import { z } from 'zod';
import { findPersonalData, personalDataDetails } from '../common/personal-data.ts';

/**
 * The Workday volunteering contract as the simulator enforces it: activities and program
 * enrolments on a worker, addressed by a pseudonymous worker id. Names, emails and phones are
 * never allowed, anywhere.
 */
export const WORKDAY_WORKER_ID_PATTERN = /^[0-9a-f]{64}$/;

const isoDate = z.iso.date();

export const activitySchema = z.strictObject({
  externalKey: z.string().min(1).max(128),
  activityDate: isoDate,
  hours: z.number().positive().max(24),
  activityName: z.string().min(1).max(200),
  organization: z.string().min(1).max(200).optional(),
});
export type WorkdayActivity = z.infer<typeof activitySchema>;

export const enrollmentSchema = z.strictObject({
  externalKey: z.string().min(1).max(128),
  programId: z.string().min(1).max(128),
  programName: z.string().min(1).max(200),
  enrolledOn: isoDate,
  cohort: z.string().min(1).max(128).optional(),
});
export type WorkdayEnrollment = z.infer<typeof enrollmentSchema>;

/** What Workday stores and returns: the submitted fields plus id, workerId and createdAt. */
export type WorkdayStored<T> = T & { readonly id: string; readonly workerId: string; readonly createdAt: string };
export type WorkdayStoredActivity = WorkdayStored<WorkdayActivity>;
export type WorkdayStoredEnrollment = WorkdayStored<WorkdayEnrollment>;

export interface ValidationDetail {
  readonly path: string;
  readonly message: string;
}

export interface ContractError {
  readonly code: 'validation_failed' | 'personal_data_rejected' | 'invalid_worker_id';
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

function personalDataError(input: unknown, what: string): ContractError | undefined {
  const findings = findPersonalData(input);
  if (findings.length === 0) return undefined;
  const details = personalDataDetails(findings);
  return {
    code: 'personal_data_rejected',
    message: `the ${what} holds personal data: ${details.map((d) => d.path).join(', ')}`,
    details,
  };
}

/**
 * The worker id must be a keyed-HMAC pseudonym (64 lowercase hex). An email or phone there is a
 * personal-data leak and is reported as one; anything else non-hex is `invalid_worker_id`.
 */
export function checkWorkerId(workerId: string): ContractError | undefined {
  const personal = personalDataError({ workerId }, 'worker id');
  if (personal !== undefined) return personal;
  if (WORKDAY_WORKER_ID_PATTERN.test(workerId)) return undefined;
  const details = [{ path: 'workerId', message: 'must be 64 lowercase hex characters (a keyed HMAC)' }];
  return { code: 'invalid_worker_id', message: 'the worker id is not pseudonymous', details };
}

/** Personal-data screen first (it applies to anything, valid or not), then the schema. */
export function checkBody<T>(input: unknown, schema: z.ZodType<T>, what: string): Check<T> {
  const personal = personalDataError(input, what);
  if (personal !== undefined) return { ok: false, error: personal };
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const details = formatIssues(parsed.error.issues);
    const message = `invalid ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`;
    return { ok: false, error: { code: 'validation_failed', message, details } };
  }
  return { ok: true, value: parsed.data };
}
