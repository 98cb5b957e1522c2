/**
 * What must hold: a tenant that reports to all three platforms has each of its events delivered
 * to every platform that takes that kind — Goodera (all kinds, in batches), Benevity (donations,
 * and hours through the signed bulk import) and Workday (activities and enrolments, OAuth token
 * in PostgreSQL) — one delivered result per (event, platform), nothing sent twice.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PLATFORM_KINDS } from '../../src/domain/routing.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../src/simulators/workday/index.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const BENEVITY = { clientId: 'client-acme', clientSecret: 'secret-acme-0123', callbackSecret: 'callback-secret-acme-0123456789' };
const WORKDAY = { tenant: 'acme_prod', clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', refreshToken: 'wd-refresh-0123456789' };
let benevity: BenevitySimulator;
let workday: WorkdaySimulator;
let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  benevity = await startBenevitySimulator({
    clients: { [BENEVITY.clientId]: BENEVITY.clientSecret },
    callbackSecret: BENEVITY.callbackSecret,
    importDelayMs: 50,
  });
  workday = await startWorkdaySimulator({
    tenants: { [WORKDAY.tenant]: { clientId: WORKDAY.clientId, clientSecret: WORKDAY.clientSecret, refreshToken: WORKDAY.refreshToken } },
  });
  pipeline = await createPipeline('all-platforms', { BENEVITY_BASE_URL: benevity.url, WORKDAY_BASE_URL: workday.url });
  await pipeline.scenario.tenants.upsertPlatform('acme', 'benevity', BENEVITY);
  await pipeline.scenario.tenants.upsertPlatform('acme', 'workday', WORKDAY);
  service = spawnService('all-platforms', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
  await benevity?.close();
  await workday?.close();
});

test('events of a tenant on all three platforms reach all three simulators, once each', async () => {
  const events = sampleEvents(48, { tenants: ['acme'], seed: 5, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);
  const expected = new Set<string>();
  for (const [i, event] of events.entries()) {
    for (const platform of ['benevity', 'goodera', 'workday'] as const) {
      if (PLATFORM_KINDS[platform].includes(event.kind)) expected.add(`${ids[i]}:${platform}`);
    }
  }
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= expected.size, 150_000);

  const results = pipeline.results();
  expect(new Set(results.map((r) => `${r.eventId}:${r.platform}`))).toEqual(expected);
  expect(results.filter((r) => r.status !== 'delivered')).toEqual([]);
  const count = (platform: string) => [...expected].filter((key) => key.endsWith(`:${platform}`)).length;
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: count('goodera'), duplicates: 0 });
  expect(benevity.stats()).toMatchObject({ accepted: count('benevity'), duplicates: 0 });
  expect(workday.stats()).toMatchObject({ accepted: count('workday'), duplicates: 0 });
  // Each platform's kinds, and only those.
  expect(new Set(workday.records().map((r) => r.value.kind))).toEqual(new Set(['volunteer_activity', 'program_enrollment']));
  expect(workday.stats().tokens.issued).toBe(1);
  expect(await pipeline.scenario.db.selectFrom('impact_provider_tokens').select('provider').execute()).toEqual([{ provider: 'workday' }]);
});
