import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { RecordStore } from '../common/record-store.ts';
import type { SimRequest, SimResponse, SimRoute } from '../common/router.ts';
import { activitySchema, checkBody, checkWorkerId, enrollmentSchema } from './workday.contract.ts';
import type {
  ContractError,
  WorkdayStored,
  WorkdayStoredActivity,
  WorkdayStoredEnrollment,
} from './workday.contract.ts';

/** Base path of the Workday REST API; the tenant follows it. */
export const WORKDAY_API_BASE_PATH = '/ccx/api/v1';

/** Route names, as faults and request counts refer to them. */
export const WORKDAY_ROUTES = {
  token: 'token',
  activity: 'activity',
  activityLookup: 'activity_lookup',
  enrollment: 'enrollment',
  enrollmentLookup: 'enrollment_lookup',
} as const;

/**
 * What the simulator stored, keyed `${tenant}:${externalKey}`. `receivedAt` (not part of the API)
 * is when the request came in: beside the record's `createdAt` it tells a write that reached the
 * simulator late from one it applied late.
 */
export type WorkdayEntry =
  | { readonly kind: 'volunteer_activity'; readonly tenant: string; readonly record: WorkdayStoredActivity; readonly receivedAt?: number }
  | { readonly kind: 'program_enrollment'; readonly tenant: string; readonly record: WorkdayStoredEnrollment; readonly receivedAt?: number };

export interface WorkdayRouteDeps {
  readonly store: RecordStore<WorkdayEntry>;
  readonly now: () => number;
}

/** Workday's error body: `{ error: code, message, details? }`. */
export function workdayError(code: string, message: string, details?: unknown): unknown {
  return details === undefined ? { error: code, message } : { error: code, message, details };
}

function rejection(error: ContractError): SimResponse {
  return { status: 422, body: workdayError(error.code, error.message, error.details) };
}

/** Business key: one tenant's external key, what the pipeline must never write twice. */
export function workdayBusinessKey(tenant: string, externalKey: string): string {
  return `${tenant}:${externalKey}`;
}

export function createWorkdayRoutes(deps: WorkdayRouteDeps): SimRoute[] {
  const write =
    <T extends { externalKey: string }>(
      schema: z.ZodType<T>,
      what: string,
      entryOf: (tenant: string, record: WorkdayStored<T>) => WorkdayEntry,
    ) =>
    (request: SimRequest): SimResponse => {
      const tenant = request.params['tenant'] ?? '';
      const workerId = request.params['workerId'] ?? '';
      const workerError = checkWorkerId(workerId);
      if (workerError !== undefined) return rejection(workerError);
      const check = checkBody(request.body, schema, what);
      if (!check.ok) return rejection(check.error);
      const record: WorkdayStored<T> = {
        id: `wd_${randomUUID()}`,
        workerId,
        ...check.value,
        createdAt: new Date(deps.now()).toISOString(),
      };
      const entry = entryOf(tenant, record);
      deps.store.add(workdayBusinessKey(tenant, check.value.externalKey), request.receivedAt === undefined ? entry : { ...entry, receivedAt: request.receivedAt });
      return { status: 201, body: record };
    };

  const lookup =
    (kind: WorkdayEntry['kind']) =>
    (request: SimRequest): SimResponse => {
      const tenant = request.params['tenant'] ?? '';
      const workerId = request.params['workerId'] ?? '';
      const workerError = checkWorkerId(workerId);
      if (workerError !== undefined) return rejection(workerError);
      const externalKey = request.query.get('externalKey');
      if (externalKey === null || externalKey === '') {
        const details = [{ path: 'externalKey', message: 'query parameter externalKey is required' }];
        return { status: 422, body: workdayError('validation_failed', 'externalKey is required', details) };
      }
      const data = deps.store
        .lookup(workdayBusinessKey(tenant, externalKey))
        .filter((entry) => entry.kind === kind && entry.record.workerId === workerId)
        .map((entry) => entry.record);
      return { status: 200, body: { data } };
    };

  const worker = `${WORKDAY_API_BASE_PATH}/:tenant/workers/:workerId`;
  return [
    {
      name: WORKDAY_ROUTES.activity,
      method: 'POST',
      path: `${worker}/volunteerActivities`,
      handler: write(activitySchema, 'volunteer activity', (tenant, record) => ({
        kind: 'volunteer_activity',
        tenant,
        record,
      })),
    },
    {
      name: WORKDAY_ROUTES.activityLookup,
      method: 'GET',
      path: `${worker}/volunteerActivities`,
      handler: lookup('volunteer_activity'),
    },
    {
      name: WORKDAY_ROUTES.enrollment,
      method: 'POST',
      path: `${worker}/programEnrollments`,
      handler: write(enrollmentSchema, 'program enrolment', (tenant, record) => ({
        kind: 'program_enrollment',
        tenant,
        record,
      })),
    },
    {
      name: WORKDAY_ROUTES.enrollmentLookup,
      method: 'GET',
      path: `${worker}/programEnrollments`,
      handler: lookup('program_enrollment'),
    },
  ];
}
