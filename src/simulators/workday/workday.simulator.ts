import type { FaultSpec } from '../common/fault-injector.ts';
import type { TokenStats } from '../common/oauth.ts';
import { SlidingWindowRateLimiter } from '../common/rate-limiter.ts';
import { RecordStore } from '../common/record-store.ts';
import type { StoredEntry } from '../common/record-store.ts';
import type { SimRequest, SimResponse, SimRoute } from '../common/router.ts';
import { SimServer } from '../common/sim-server.ts';
import type { SimStats } from '../common/sim-stats.ts';
import { createWorkdayAuth } from './workday.auth.ts';
import type { WorkdayTenantCredentials } from './workday.auth.ts';
import { WORKDAY_ROUTES, createWorkdayRoutes, workdayError } from './workday.routes.ts';
import type { WorkdayEntry } from './workday.routes.ts';

/** Used when no tenants are given, so a bare `startWorkdaySimulator()` is usable by a demo. */
export const WORKDAY_DEFAULT_TENANTS: Readonly<Record<string, WorkdayTenantCredentials>> = Object.freeze({
  dev: Object.freeze({
    clientId: 'workday-dev-client',
    clientSecret: 'workday-dev-secret',
    refreshToken: 'workday-dev-refresh-token',
  }),
});

export interface WorkdaySimulatorOptions {
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  /** Defaults to 0 (a free port). */
  readonly port?: number;
  /** Tenant → its API client and refresh token. Defaults to {@link WORKDAY_DEFAULT_TENANTS}. */
  readonly tenants?: Readonly<Record<string, WorkdayTenantCredentials>>;
  /** Also accept `grant_type=client_credentials`; true by default. */
  readonly allowClientCredentials?: boolean;
  /** Access-token lifetime; 3600 by default. */
  readonly tokenTtlSeconds?: number;
  /** Workday documents no limit: 0 (the default) disables; N answers 429 + Retry-After past N per tenant per minute. */
  readonly rateLimitPerMinute?: number;
  /** The sliding window of that limit, ms; 60 000 by default (load tests shorten it to run faster). */
  readonly rateLimitWindowMs?: number;
  /** Clock in epoch ms: token expiry, rate limiting, createdAt. */
  readonly now?: () => number;
  /** Randomness for fault probabilities; inject in tests. */
  readonly random?: () => number;
}

/** What `stats()` and `GET /__sim/stats` answer; `tokens.bySubject` is per tenant. */
export interface WorkdayStats extends SimStats {
  readonly tokens: TokenStats;
}

export interface WorkdaySimulator {
  readonly url: string;
  readonly port: number;
  /** Stops the server and destroys open sockets (held timeouts included). */
  close(): Promise<void>;
  stats(): WorkdayStats;
  records(): StoredEntry<WorkdayEntry>[];
  /** Clears records, counts, faults and rate-limit windows; issued tokens stay valid. */
  reset(): void;
  /** Validates (throws `InvalidFaultSpecError`) and adds one fault or several. */
  injectFault(spec: unknown): FaultSpec[];
  clearFaults(): void;
  /** Invalidates every issued token (the next call gets 401 `invalid_token`); returns how many were live. */
  revokeTokens(): number;
}

export async function startWorkdaySimulator(options: WorkdaySimulatorOptions = {}): Promise<WorkdaySimulator> {
  const now = options.now ?? Date.now;
  const auth = createWorkdayAuth(
    {
      tenants: new Map(Object.entries(options.tenants ?? WORKDAY_DEFAULT_TENANTS)),
      allowClientCredentials: options.allowClientCredentials ?? true,
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      now,
    },
    WORKDAY_ROUTES.token,
  );
  const limiter = new SlidingWindowRateLimiter({ limit: options.rateLimitPerMinute ?? 0, windowMs: options.rateLimitWindowMs ?? 60_000, now });

  const guard = (request: SimRequest, route: SimRoute): SimResponse | undefined => {
    if (route.name === WORKDAY_ROUTES.token) return undefined;
    const refused = auth.guard(request);
    if (refused !== undefined) return refused;
    // Only authenticated requests take a slot; the guard has checked the tenant.
    const decision = limiter.take(request.params['tenant'] ?? '');
    if (decision.allowed) return undefined;
    return {
      status: 429,
      body: workdayError('rate_limited', 'rate limit exceeded for this tenant'),
      headers: { 'retry-after': String(decision.retryAfterSeconds) },
    };
  };
  const extraStats = () => ({ tokens: auth.issuer.stats() });

  const store = new RecordStore<WorkdayEntry>();
  const server = new SimServer<WorkdayEntry>({
    routes: [auth.tokenRoute, ...createWorkdayRoutes({ store, now })],
    store,
    guard,
    errorBody: workdayError,
    extraStats,
    now,
    onReset: () => {
      limiter.reset();
      auth.issuer.resetStats();
    },
    controlActions: {
      'POST revoke-tokens': () => ({ status: 200, body: { revoked: auth.issuer.revokeAll() } }),
    },
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const listening = await server.listen({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });

  return {
    url: listening.url,
    port: listening.port,
    close: () => listening.close(),
    stats: () => ({ ...server.stats(), ...extraStats() }),
    records: () => server.records(),
    reset: () => server.reset(),
    injectFault: (spec) => server.faults.add(spec),
    clearFaults: () => server.faults.clear(),
    revokeTokens: () => auth.issuer.revokeAll(),
  };
}
