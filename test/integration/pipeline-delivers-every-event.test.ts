/**
 * What must hold: 200 events published to the input topic end as exactly 200 records at the
 * Goodera simulator, 200 rows in impact_deliveries and 200 results on the results topic, each
 * result carrying event id, platform, status, attempts and timestamps — with no personal data
 * reaching the platform.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('pipeline');
  service = spawnService('pipeline', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('200 events → 200 platform records, 200 delivery rows, 200 results', async () => {
  const events = sampleEvents(200, { tenants: TENANTS, seed: 42, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);
  expect(new Set(ids).size).toBe(200);

  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 200, 120_000);

  const stats = pipeline.goodera.stats();
  expect(stats.accepted).toBe(200);
  expect(stats.distinctKeys).toBe(200);
  expect(stats.duplicates).toBe(0);

  const rows = await pipeline.scenario.db.selectFrom('impact_deliveries').selectAll().execute();
  expect(rows).toHaveLength(200);
  expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(ids));
  expect(rows.every((row) => row.status === 'delivered' && row.platform === 'goodera' && row.external_ref)).toBe(true);

  const results = pipeline.results();
  expect(results).toHaveLength(200);
  expect(new Set(results.map((r) => r.eventId))).toEqual(new Set(ids));
  for (const result of results) {
    expect(result).toMatchObject({ platform: 'goodera', status: 'delivered', errorClass: null });
    expect(result.attempts).toBeGreaterThanOrEqual(1);
    expect(Date.parse(result.completedAt)).toBeGreaterThanOrEqual(Date.parse(result.firstAttemptAt));
  }
  // Each result's external reference is the record the simulator created.
  const simulatorIds = new Set(pipeline.goodera.records().map((entry) => entry.value.record.id));
  expect(new Set(results.map((r) => r.externalRef))).toEqual(simulatorIds);

  // Redaction: no name, email, phone or raw employee id left the company.
  const sent = JSON.stringify(pipeline.goodera.records());
  for (const event of events) {
    expect(sent).not.toContain(event.subject.email!);
    expect(sent).not.toContain(event.subject.name!);
    expect(sent).not.toContain(event.subject.phone!);
    expect(sent).not.toContain(`"${event.subject.employeeId}"`);
  }
  expect(pipeline.tail.messages(pipeline.topics.eventsDlq)).toHaveLength(0);
});
