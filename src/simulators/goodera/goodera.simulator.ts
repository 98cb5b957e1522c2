import type { FaultSpec } from '../common/fault-injector.ts';
import { SlidingWindowRateLimiter } from '../common/rate-limiter.ts';
import { RecordStore } from '../common/record-store.ts';
import type { StoredEntry } from '../common/record-store.ts';
import type { SimRequest, SimResponse } from '../common/router.ts';
import { SimServer } from '../common/sim-server.ts';
import type { SimStats } from '../common/sim-stats.ts';
import { createGooderaRoutes, gooderaError } from './goodera.routes.ts';
import type { GooderaEntry } from './goodera.routes.ts';

/** Goodera's documented limit: 100 requests per minute per API key. */
export const GOODERA_DEFAULT_RATE_LIMIT_PER_MINUTE = 100;

/** Used when no keys are given, so a bare `startGooderaSimulator()` is usable by a demo. */
export const GOODERA_DEFAULT_API_KEYS: Readonly<Record<string, string>> = Object.freeze({
  'goodera-dev-key': 'dev',
});

export interface GooderaSimulatorOptions {
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  /** Defaults to 0 (a free port). */
  readonly port?: number;
  /** Accepted `x-api-key` values → tenant label. Defaults to {@link GOODERA_DEFAULT_API_KEYS}. */
  readonly apiKeys?: Readonly<Record<string, string>>;
  /** Admitted requests per API key per sliding minute; 0 disables. Defaults to 100. */
  readonly rateLimitPerMinute?: number;
  /** The sliding window of that limit, ms; 60 000 by default (tests shorten it to run faster). */
  readonly rateLimitWindowMs?: number;
  /** Clock in epoch ms for rate limiting and createdAt; inject in tests. */
  readonly now?: () => number;
  /** Randomness for fault probabilities; inject in tests. */
  readonly random?: () => number;
}

export interface GooderaSimulator {
  readonly url: string;
  readonly port: number;
  /** Stops the server and destroys open sockets (held timeouts included). */
  close(): Promise<void>;
  stats(): SimStats;
  records(): StoredEntry<GooderaEntry>[];
  /** Clears records, request counts, faults and rate-limit windows. */
  reset(): void;
  /** Validates (throws `InvalidFaultSpecError`) and adds one fault or several. */
  injectFault(spec: unknown): FaultSpec[];
  clearFaults(): void;
  /** Deletes the records of a business key (externalId), as a Goodera user would; returns how many. */
  deleteRecords(externalId: string): number;
}

const API_KEY_HEADER = 'x-api-key';

function apiKeyOf(request: SimRequest): string | undefined {
  const value = request.headers[API_KEY_HEADER];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export async function startGooderaSimulator(options: GooderaSimulatorOptions = {}): Promise<GooderaSimulator> {
  const apiKeys = new Map(Object.entries(options.apiKeys ?? GOODERA_DEFAULT_API_KEYS));
  const now = options.now ?? Date.now;
  const limiter = new SlidingWindowRateLimiter({
    limit: options.rateLimitPerMinute ?? GOODERA_DEFAULT_RATE_LIMIT_PER_MINUTE,
    windowMs: options.rateLimitWindowMs ?? 60_000,
    now,
  });

  const tenantOf = (request: SimRequest): string => {
    const tenant = apiKeys.get(apiKeyOf(request) ?? '');
    // The guard runs first and refuses unknown keys, so this is a programming error.
    if (tenant === undefined) throw new Error('request reached a Goodera handler without a valid API key');
    return tenant;
  };

  const guard = (request: SimRequest): SimResponse | undefined => {
    const key = apiKeyOf(request);
    if (key === undefined || !apiKeys.has(key)) {
      const message = key === undefined ? `missing ${API_KEY_HEADER} header` : 'unknown API key';
      return { status: 401, body: gooderaError('unauthorized', message) };
    }
    const decision = limiter.take(key);
    if (!decision.allowed) {
      return {
        status: 429,
        body: gooderaError('rate_limited', 'rate limit exceeded for this API key'),
        headers: { 'retry-after': String(decision.retryAfterSeconds) },
      };
    }
    return undefined;
  };

  const store = new RecordStore<GooderaEntry>();
  const server = new SimServer<GooderaEntry>({
    routes: createGooderaRoutes({ store, now, tenantOf }),
    store,
    guard,
    onReset: () => limiter.reset(),
    errorBody: gooderaError,
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
    stats: () => server.stats(),
    records: () => server.records(),
    reset: () => server.reset(),
    injectFault: (spec) => server.faults.add(spec),
    clearFaults: () => server.faults.clear(),
    deleteRecords: (externalId) => store.remove(externalId),
  };
}
