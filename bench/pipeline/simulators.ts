/**
 * The three platform simulators in the bench process, over real HTTP on loopback, each knowing
 * every bench tenant: what the service processes need to reach them (environment) and to
 * authenticate (credentials per tenant), an added latency on every answer that can be changed
 * between cells, and what each one accepted.
 */
import type { Platform } from '../../src/domain/platform.ts';
import { startBenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { startGooderaSimulator } from '../../src/simulators/goodera/index.ts';
import { startWorkdaySimulator } from '../../src/simulators/workday/index.ts';

const CALLBACK_SECRET = 'callback-secret-bench-0123456789';

interface Controllable {
  stats(): { accepted: number; duplicates: number };
  injectFault(spec: unknown): unknown;
  clearFaults(): void;
  close(): Promise<void>;
}

export interface BenchSimulators {
  /** BENEVITY_/GOODERA_/WORKDAY_ base URLs, and client rate limits high enough never to be the bottleneck. */
  readonly env: Record<string, string>;
  credentials(platform: Platform, tenant: string): Record<string, string>;
  /** Every route of every simulator answers `ms` later from now on (0: no added latency). */
  setLatency(ms: number): void;
  stats(): Record<Platform, { accepted: number; duplicates: number }>;
  close(): Promise<void>;
}

export async function startBenchSimulators(tenants: readonly string[]): Promise<BenchSimulators> {
  const per = <T>(make: (tenant: string) => T) => Object.fromEntries(tenants.map((t) => [t, make(t)]));
  const benevityCreds = (t: string) => ({ clientId: `client-${t}`, clientSecret: `secret-${t}-0123`, callbackSecret: CALLBACK_SECRET });
  const gooderaCreds = (t: string) => ({ apiKey: `key-${t}-0123456789`, organizationId: `org-${t}` });
  const workdayCreds = (t: string) => ({ tenant: `${t}_prod`, clientId: 'impact-in', clientSecret: `wd-${t}-0123456789`, refreshToken: `refresh-${t}-0123` });

  const benevity = await startBenevitySimulator({
    clients: Object.fromEntries(tenants.map((t) => [benevityCreds(t).clientId, benevityCreds(t).clientSecret])),
    callbackSecret: CALLBACK_SECRET,
    importDelayMs: 0,
  });
  const goodera = await startGooderaSimulator({
    apiKeys: Object.fromEntries(tenants.map((t) => [gooderaCreds(t).apiKey, t])),
    rateLimitPerMinute: 0,
  });
  const workday = await startWorkdaySimulator({
    tenants: Object.fromEntries(tenants.map((t) => [workdayCreds(t).tenant, workdayCreds(t)])),
  });
  const sims: Record<Platform, Controllable> = { benevity, goodera, workday };
  const creds = { benevity: per(benevityCreds), goodera: per(gooderaCreds), workday: per(workdayCreds) };
  return {
    env: {
      BENEVITY_BASE_URL: benevity.url,
      BENEVITY_RATE_LIMIT_PER_MINUTE: '100000',
      BENEVITY_RATE_LIMIT_BURST: '1000',
      GOODERA_BASE_URL: goodera.url,
      GOODERA_RATE_LIMIT_PER_MINUTE: '100000',
      WORKDAY_BASE_URL: workday.url,
      WORKDAY_RATE_LIMIT_PER_MINUTE: '100000',
      WORKDAY_RATE_LIMIT_BURST: '1000',
    },
    credentials: (platform, tenant) => creds[platform][tenant]!,
    setLatency(ms) {
      for (const sim of Object.values(sims)) {
        sim.clearFaults();
        if (ms > 0) sim.injectFault({ route: '*', kind: 'latency', ms });
      }
    },
    stats: () => ({ benevity: pick(benevity.stats()), goodera: pick(goodera.stats()), workday: pick(workday.stats()) }),
    async close() {
      await Promise.all(Object.values(sims).map((sim) => sim.close()));
    },
  };
}

const pick = ({ accepted, duplicates }: { accepted: number; duplicates: number }) => ({ accepted, duplicates });
