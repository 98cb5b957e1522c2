/**
 * A scenario over all three platforms: the Goodera pipeline of createPipeline plus Benevity and
 * Workday simulators, every test tenant configured for all three, and what each event should
 * become: one delivery per platform that takes its kind.
 */
import { PLATFORM_KINDS } from '../../../src/domain/routing.ts';
import { PLATFORMS } from '../../../src/domain/platform.ts';
import type { NewImpactEvent } from '../../../src/publisher/publisher.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../../src/simulators/benevity/index.ts';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../../src/simulators/workday/index.ts';
import { createPipeline, TENANTS, type Pipeline } from './pipeline.ts';

const CALLBACK_SECRET = 'callback-secret-scenario-0123456789';

export const benevityCredentialsOf = (tenant: string) => ({
  clientId: `client-${tenant}`,
  clientSecret: `secret-${tenant}-0123`,
  callbackSecret: CALLBACK_SECRET,
});
export const workdayCredentialsOf = (tenant: string) => ({
  tenant: `${tenant}_prod`,
  clientId: 'impact-in',
  clientSecret: `wd-${tenant}-0123456789`,
  refreshToken: `refresh-${tenant}-0123`,
});

export interface AllPlatforms {
  readonly pipeline: Pipeline;
  readonly benevity: BenevitySimulator;
  readonly workday: WorkdaySimulator;
  close(): Promise<void>;
}

export async function createAllPlatforms(
  name: string,
  overrides: Record<string, string> = {},
  benevityOptions: { readonly callbackBackoffMs?: number } = {},
): Promise<AllPlatforms> {
  const benevity = await startBenevitySimulator({
    clients: Object.fromEntries(TENANTS.map((t) => [benevityCredentialsOf(t).clientId, benevityCredentialsOf(t).clientSecret])),
    callbackSecret: CALLBACK_SECRET,
    importDelayMs: 50,
    ...benevityOptions,
  });
  const workday = await startWorkdaySimulator({
    tenants: Object.fromEntries(
      TENANTS.map((t) => {
        const { tenant, clientId, clientSecret, refreshToken } = workdayCredentialsOf(t);
        return [tenant, { clientId, clientSecret, refreshToken }];
      }),
    ),
  });
  const pipeline = await createPipeline(name, { BENEVITY_BASE_URL: benevity.url, WORKDAY_BASE_URL: workday.url, ...overrides });
  for (const tenant of TENANTS) {
    await pipeline.scenario.tenants.upsertPlatform(tenant, 'benevity', benevityCredentialsOf(tenant));
    await pipeline.scenario.tenants.upsertPlatform(tenant, 'workday', workdayCredentialsOf(tenant));
  }
  return {
    pipeline,
    benevity,
    workday,
    async close() {
      await pipeline.close();
      await benevity.close();
      await workday.close();
    },
  };
}

/** `eventId:platform` for every platform that takes each event's kind. */
export function expectedDeliveries(events: readonly NewImpactEvent[], ids: readonly string[]): Set<string> {
  const expected = new Set<string>();
  for (const [i, event] of events.entries()) {
    for (const platform of PLATFORMS) {
      if (PLATFORM_KINDS[platform].includes(event.kind)) expected.add(`${ids[i]}:${platform}`);
    }
  }
  return expected;
}

/** How many of the expected deliveries go to `platform`. */
export function deliveriesTo(expected: ReadonlySet<string>, platform: string): number {
  return [...expected].filter((key) => key.endsWith(`:${platform}`)).length;
}
