import type { FaultSpec } from '../common/fault-injector.ts';
import type { TokenStats } from '../common/oauth.ts';
import { RecordStore } from '../common/record-store.ts';
import type { StoredEntry } from '../common/record-store.ts';
import type { SimRequest, SimResponse, SimRoute } from '../common/router.ts';
import { SimServer } from '../common/sim-server.ts';
import type { SimStats } from '../common/sim-stats.ts';
import { createBenevityAuth } from './benevity.auth.ts';
import { ImportRunner } from './benevity.imports.ts';
import type { BenevityCallbackDelivery, BenevityImportJob } from './benevity.imports.ts';
import { BENEVITY_ROUTES, benevityError, createBenevityRoutes } from './benevity.routes.ts';
import type { BenevityEntry } from './benevity.routes.ts';

/** Used when no clients are given, so a bare `startBenevitySimulator()` is usable by a demo. */
export const BENEVITY_DEFAULT_CLIENTS: Readonly<Record<string, string>> = Object.freeze({
  'benevity-dev-client': 'benevity-dev-secret',
});
export const BENEVITY_DEFAULT_CALLBACK_SECRET = 'benevity-dev-callback-secret';

export interface BenevitySimulatorOptions {
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  /** Defaults to 0 (a free port). */
  readonly port?: number;
  /** OAuth client id → secret. Defaults to {@link BENEVITY_DEFAULT_CLIENTS}. */
  readonly clients?: Readonly<Record<string, string>>;
  /** Access-token lifetime; 3600 by default. */
  readonly tokenTtlSeconds?: number;
  /** Delay before a queued import job completes; 100 ms by default. */
  readonly importDelayMs?: number;
  /** HMAC key of the `x-benevity-signature` callback header. */
  readonly callbackSecret?: string;
  /** Callback re-sends after a failed or non-2xx first attempt; 5 by default. */
  readonly callbackMaxRetries?: number;
  /** Wait before the first callback retry, doubling each time; 100 ms by default. */
  readonly callbackBackoffMs?: number;
  /** Per-attempt callback timeout; 5000 ms by default. */
  readonly callbackTimeoutMs?: number;
  /** Clock in epoch ms: token expiry, createdAt, completedAt, signature timestamps. */
  readonly now?: () => number;
  /** Randomness for fault probabilities; inject in tests. */
  readonly random?: () => number;
}

/** What `stats()` and `GET /__sim/stats` answer. */
export interface BenevityStats extends SimStats {
  readonly tokens: TokenStats;
  readonly imports: { submitted: number; completed: number; recordsAccepted: number; recordsRejected: number };
  readonly callbacks: { attempts: number; delivered: number; failed: number; replays: number };
}

export interface BenevitySimulator {
  readonly url: string;
  readonly port: number;
  /** Cancels queued jobs and callbacks, stops the server and destroys open sockets. */
  close(): Promise<void>;
  stats(): BenevityStats;
  records(): StoredEntry<BenevityEntry>[];
  /** Clears records, counts, faults, jobs and callbacks; issued tokens stay valid. */
  reset(): void;
  /** Validates (throws `InvalidFaultSpecError`) and adds one fault or several. */
  injectFault(spec: unknown): FaultSpec[];
  clearFaults(): void;
  /** Invalidates every issued token (the next call gets 401 `invalid_token`); returns how many were live. */
  revokeTokens(): number;
  jobs(): BenevityImportJob[];
  /** Every callback POST so far, retries and replays included, oldest first. */
  callbackDeliveries(): BenevityCallbackDelivery[];
  /** Re-sends a job's last callback byte for byte, signature included (replay-protection tests). */
  replayCallback(jobId: string): Promise<BenevityCallbackDelivery>;
  /** Resolves when every queued job has completed and its callback is delivered or failed. */
  settled(): Promise<void>;
}

export async function startBenevitySimulator(options: BenevitySimulatorOptions = {}): Promise<BenevitySimulator> {
  const now = options.now ?? Date.now;
  const auth = createBenevityAuth(
    {
      clients: new Map(Object.entries(options.clients ?? BENEVITY_DEFAULT_CLIENTS)),
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      now,
    },
    BENEVITY_ROUTES.token,
  );
  const store = new RecordStore<BenevityEntry>();
  const imports = new ImportRunner({
    store,
    now,
    importDelayMs: options.importDelayMs ?? 100,
    callbackSecret: options.callbackSecret ?? BENEVITY_DEFAULT_CALLBACK_SECRET,
    callbackMaxRetries: options.callbackMaxRetries ?? 5,
    callbackBackoffMs: options.callbackBackoffMs ?? 100,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 5000,
  });

  const guard = (request: SimRequest, route: SimRoute): SimResponse | undefined =>
    route.name === BENEVITY_ROUTES.token ? undefined : auth.guard(request);
  const extraStats = () => ({ tokens: auth.issuer.stats(), ...imports.stats() });

  const server = new SimServer<BenevityEntry>({
    routes: [auth.tokenRoute, ...createBenevityRoutes({ store, imports, now, clientOf: auth.clientOf })],
    store,
    guard,
    errorBody: benevityError,
    extraStats,
    onReset: () => {
      imports.reset();
      auth.issuer.resetStats();
    },
    controlActions: {
      'POST revoke-tokens': () => ({ status: 200, body: { revoked: auth.issuer.revokeAll() } }),
      'GET jobs': () => ({ status: 200, body: { jobs: imports.jobs() } }),
      'GET callbacks': () => ({ status: 200, body: { deliveries: imports.deliveries() } }),
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
    close: async () => {
      await imports.close();
      await listening.close();
    },
    stats: () => ({ ...server.stats(), ...extraStats() }),
    records: () => server.records(),
    reset: () => server.reset(),
    injectFault: (spec) => server.faults.add(spec),
    clearFaults: () => server.faults.clear(),
    revokeTokens: () => auth.issuer.revokeAll(),
    jobs: () => imports.jobs(),
    callbackDeliveries: () => imports.deliveries(),
    replayCallback: (jobId) => imports.replay(jobId),
    settled: () => imports.settled(),
  };
}
