export {
  BENEVITY_DEFAULT_CALLBACK_SECRET,
  BENEVITY_DEFAULT_CLIENTS,
  startBenevitySimulator,
} from './benevity.simulator.ts';
export type { BenevitySimulator, BenevitySimulatorOptions, BenevityStats } from './benevity.simulator.ts';
export { BENEVITY_BASE_PATH, BENEVITY_ROUTES } from './benevity.routes.ts';
export type { BenevityEntry } from './benevity.routes.ts';
export { BENEVITY_TOKEN_PATH } from './benevity.auth.ts';
export { BENEVITY_SIGNATURE_HEADER, signBenevityCallback } from './benevity.signature.ts';
export type { BenevityCallbackDelivery, BenevityImportJob, BenevityImportResult } from './benevity.imports.ts';
export {
  BENEVITY_IDEMPOTENCY_METADATA_KEY,
  BENEVITY_MAX_IMPORT_RECORDS,
  BENEVITY_MAX_METADATA_PAIRS,
  donationSchema,
  hoursRecordSchema,
} from './benevity.contract.ts';
export type {
  BenevityDonation,
  BenevityHoursRecord,
  BenevityStoredDonation,
  BenevityStoredHours,
} from './benevity.contract.ts';
