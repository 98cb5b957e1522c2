export {
  GOODERA_DEFAULT_API_KEYS,
  GOODERA_DEFAULT_RATE_LIMIT_PER_MINUTE,
  startGooderaSimulator,
} from './goodera.simulator.ts';
export type { GooderaSimulator, GooderaSimulatorOptions } from './goodera.simulator.ts';
export { GOODERA_BASE_PATH, GOODERA_ROUTES } from './goodera.routes.ts';
export type { GooderaEntry } from './goodera.routes.ts';
export {
  GOODERA_MAX_BATCH,
  GOODERA_RECORD_TYPES,
  impactRecordSchema,
} from './goodera.contract.ts';
export type { GooderaImpactRecord, GooderaRecordType, GooderaStoredRecord } from './goodera.contract.ts';
