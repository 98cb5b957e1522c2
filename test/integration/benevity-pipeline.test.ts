/**
 * What must hold: through the whole service (redactor, router, deliver:benevity with its callback
 * endpoint, relay), a tenant's donations reach Benevity synchronously and its volunteer hours through
 * the bulk import, and every one of them ends as exactly one delivered result — the hours only once
 * the signed completion callback arrived at impact-in's endpoint. Nothing is sent twice.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const CREDENTIALS = { clientId: 'client-acme', clientSecret: 'secret-acme-0123', callbackSecret: 'callback-secret-acme-0123456789' };
let benevity: BenevitySimulator;
let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  benevity = await startBenevitySimulator({
    clients: { [CREDENTIALS.clientId]: CREDENTIALS.clientSecret },
    callbackSecret: CREDENTIALS.callbackSecret,
    importDelayMs: 50,
  });
  // The reconciler would poll only after 10 minutes: these hours complete by callback.
  pipeline = await createPipeline('benevity-pipeline', { BENEVITY_BASE_URL: benevity.url, BENEVITY_CALLBACK_WAIT_MS: '600000' });
  await pipeline.scenario.tenants.upsertPlatform('acme', 'benevity', CREDENTIALS);
  service = spawnService('benevity-pipeline', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
  await benevity?.close();
});

test('donations and volunteer hours of a tenant reach Benevity and end as one result each', async () => {
  const events = sampleEvents(40, { tenants: ['acme'], seed: 11, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);
  const forBenevity = new Set(ids.filter((_, i) => ['donation', 'volunteer_activity'].includes(events[i]!.kind)));
  const hours = ids.filter((_, i) => events[i]!.kind === 'volunteer_activity');
  expect(hours.length).toBeGreaterThan(0);
  const benevityResults = () => pipeline.results().filter((result) => result.platform === 'benevity');
  await pipeline.tail.waitFor(pipeline.topics.results, () => benevityResults().length >= forBenevity.size, 120_000);

  const results = benevityResults();
  expect(new Set(results.map((result) => result.eventId))).toEqual(forBenevity);
  expect(results.every((result) => result.status === 'delivered' && result.externalRef)).toBe(true);
  // A result can be published before Benevity has read our 200 to its callback: let it settle.
  await benevity.settled();
  const stats = benevity.stats();
  expect(stats.accepted).toBe(forBenevity.size);
  expect(stats.duplicates).toBe(0);
  expect(stats.imports.submitted).toBe(hours.length);
  expect(stats.callbacks.delivered).toBe(hours.length);
  // Each hours result carries the id of the record the import created.
  const hoursIds = new Set(benevity.records().flatMap((entry) => (entry.value.kind === 'volunteer_hours' ? [entry.value.hours.id] : [])));
  expect(new Set(results.filter((result) => result.kind === 'volunteer_activity').map((result) => result.externalRef))).toEqual(hoursIds);
  const jobs = await pipeline.scenario.db.selectFrom('delivery_jobs').selectAll().execute();
  expect(jobs).toHaveLength(hours.length);
  expect(jobs.every((job) => job.status === 'completed' && job.completed_via === 'callback')).toBe(true);
  // The submission's request is the hours rows' attempt history, carried through the job.
  const hoursRows = await pipeline.scenario.db
    .selectFrom('impact_deliveries')
    .select(['attempts', 'attempt_history'])
    .where('platform', '=', 'benevity')
    .where('event_kind', '=', 'volunteer_activity')
    .execute();
  expect(hoursRows).toHaveLength(hours.length);
  for (const row of hoursRows) {
    expect((row.attempt_history as { result: string }[]).map((attempt) => attempt.result)).toEqual(['submitted']);
    expect(row.attempts).toBe(1);
  }
  // One token served every delivery.
  expect(stats.tokens.issued).toBe(1);
});
