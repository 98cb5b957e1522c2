export { DEFAULT_BODY_LIMIT_BYTES } from './body.ts';
export { CONTROL_PREFIX } from './control-api.ts';
export {
  FAULT_KINDS,
  FaultInjector,
  InvalidFaultSpecError,
  faultSpecSchema,
  parseFaultSpecs,
} from './fault-injector.ts';
export type { FaultDecision, FaultKind, FaultSpec, FaultSpecInput, TerminalFault } from './fault-injector.ts';
export { SlidingWindowRateLimiter } from './rate-limiter.ts';
export type { RateDecision, RateLimiterOptions } from './rate-limiter.ts';
export { RecordStore } from './record-store.ts';
export type { AddResult, RecordStats, StoredEntry } from './record-store.ts';
export { Router } from './router.ts';
export type { SimHandler, SimRequest, SimResponse, SimRoute } from './router.ts';
export { SimServer } from './sim-server.ts';
export type { ListenOptions, ListeningSimServer, SimServerOptions } from './sim-server.ts';
export type { RequestCounts, SimStats } from './sim-stats.ts';
export { SimulatorUsageError, parseIntFlag, parseStrictArgs, runStandalone } from './cli.ts';
export type { StandaloneSpec } from './cli.ts';
export type { ControlAction, ControlActions } from './control-api.ts';
export { TokenIssuer, parseBasicAuth, parseBearer, parseFormBody, secretEquals } from './oauth.ts';
export type { BasicCredentials, IssuedToken, TokenIssuerOptions, TokenStats } from './oauth.ts';
export { findPersonalData, looksLikeEmail, looksLikePhone, personalDataDetails } from './personal-data.ts';
export type { PersonalDataFinding, PersonalDataKind, PersonalDataOptions } from './personal-data.ts';
