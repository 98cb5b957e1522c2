export { WORKDAY_DEFAULT_TENANTS, startWorkdaySimulator } from './workday.simulator.ts';
export type { WorkdaySimulator, WorkdaySimulatorOptions, WorkdayStats } from './workday.simulator.ts';
export { WORKDAY_API_BASE_PATH, WORKDAY_ROUTES, workdayBusinessKey } from './workday.routes.ts';
export type { WorkdayEntry } from './workday.routes.ts';
export { WORKDAY_TOKEN_PATH } from './workday.auth.ts';
export type { WorkdayTenantCredentials } from './workday.auth.ts';
export { WORKDAY_WORKER_ID_PATTERN, activitySchema, enrollmentSchema } from './workday.contract.ts';
export type {
  WorkdayActivity,
  WorkdayEnrollment,
  WorkdayStoredActivity,
  WorkdayStoredEnrollment,
} from './workday.contract.ts';
