/**
 * What must hold: a send that went unanswered (our request timeout passed) may still be applied by
 * the platform afterwards. The lookup before a re-send must not overtake it — it waits the request
 * timeout after the failure (settleDelayMs) — so the record is found, not sent a second time.
 * Without that wait the lookup comes ~0.1 s after the timeout, finds nothing, and the re-send
 * doubles the record when the slow request lands.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseAttemptHistory } from '../../src/deliveries/attempt-log.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { GOODERA_ROUTES } from '../../src/simulators/goodera/goodera.routes.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('late-apply');
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('a batch applied after our timeout is found by the lookup, not sent again', async () => {
  const timeoutMs = Number(pipeline.scenario.env.HTTP_REQUEST_TIMEOUT_MS);
  expect(timeoutMs).toBeGreaterThan(0);
  // The first batch is stored 1.5 s after our request timeout gave up on it.
  pipeline.goodera.injectFault({ route: GOODERA_ROUTES.batch, kind: 'latency', ms: timeoutMs + 1_500, count: 1 });
  service = spawnService('late-apply', pipeline.scenario.env);
  await service.started;
  const events = sampleEvents(5, { tenants: ['acme'], seed: 17, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= ids.length, 60_000);

  expect(new Set(pipeline.results().map((r) => r.eventId))).toEqual(new Set(ids));
  expect(pipeline.results().every((r) => r.status === 'delivered')).toBe(true);
  // The slow batch did time out on our side: its records' only attempt ended OUTCOME_UNKNOWN ...
  const rows = await pipeline.scenario.db.selectFrom('impact_deliveries').select(['event_id', 'attempt_history']).execute();
  const timedOut = rows.filter((row) => parseAttemptHistory(row.attempt_history).some((a) => a.result === 'OUTCOME_UNKNOWN'));
  expect(timedOut.length).toBeGreaterThan(0);
  // ... and what it stored late was found, not doubled.
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: ids.length, distinctKeys: ids.length, duplicates: 0 });
}, 120_000);
