/**
 * What must hold: a Benevity volunteer-hours delivery the platform refused, redriven after the
 * fix, goes through the asynchronous bulk import as generation 1 — and the import's outcome, which
 * arrives later by signed callback, is recorded as that generation (the delivered row replaces the
 * rejected one, one result carries generation 1), not dropped against the earlier row.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { BENEVITY_ROUTES } from '../../src/simulators/benevity/benevity.routes.ts';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { runCli } from './helpers/cli.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let all: AllPlatforms;
let service: ServiceProcess;

beforeAll(async () => {
  all = await createAllPlatforms('redriveimport');
  service = spawnService('redriveimport', all.pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await all?.close();
});

test('a refused hours import, redriven, is delivered through the import and recorded as generation 1', async () => {
  const { pipeline, benevity } = all;
  const hours = sampleEvents(8, { tenants: TENANTS, seed: 61, now: new Date() }).find((e) => e.kind === 'volunteer_activity')!;
  benevity.injectFault({ route: BENEVITY_ROUTES.import, kind: 'status', status: 422, count: 1 });
  const [eventId] = await pipeline.publisher.publishImpactEvents([hours]);
  const resultOf = (generation: number | undefined) =>
    pipeline.results().find((r) => r.eventId === eventId && r.platform === 'benevity' && r.generation === generation);
  await pipeline.tail.waitFor(pipeline.topics.results, () => resultOf(undefined) !== undefined, 90_000);
  expect(resultOf(undefined)).toMatchObject({ status: 'rejected' });

  const redriven = await runCli(pipeline.scenario.env, ['dlq', 'redrive', '--topic', pipeline.topics.deliverDlq.benevity, '--event-id', eventId!]);
  expect(redriven).toMatchObject({ code: 0 });
  expect(redriven.stdout).toContain('redrove 1 as a new generation');

  await pipeline.tail.waitFor(pipeline.topics.results, () => resultOf(1) !== undefined, 90_000);
  expect(resultOf(1)).toMatchObject({ status: 'delivered', generation: 1 });
  const row = await pipeline.scenario.db
    .selectFrom('impact_deliveries')
    .select(['status', 'generation'])
    .where('event_id', '=', eventId!)
    .where('platform', '=', 'benevity')
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ status: 'delivered', generation: 1 });
  const stats = benevity.stats();
  expect(stats.duplicates).toBe(0);
});
