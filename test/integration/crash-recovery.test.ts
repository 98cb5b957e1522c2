/**
 * What must hold: the service killed with SIGKILL mid-stream and started again loses nothing —
 * every one of 200 events reaches the platform (distinct by business key) and has exactly one
 * result — and, because an interrupted send is looked up before it is re-sent, sends nothing twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  // Some latency at the platform keeps sends in flight, so the kill lands mid-delivery.
  pipeline = await createPipeline('crash', {
    IDEMPOTENCY_LEASE_MS: '6000',
    HTTP_REQUEST_TIMEOUT_MS: '2000',
    // The killed process's partitions move after one session timeout.
    KAFKA_SESSION_TIMEOUT_MS: '10000',
  });
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await pipeline?.close();
});

test('SIGKILL mid-stream, restart: all 200 delivered once, 200 results, no gaps', async () => {
  pipeline.goodera.injectFault({ route: 'create', kind: 'latency', ms: 40 });
  const first = spawnService('crash', pipeline.scenario.env);
  services.push(first);
  await first.started;
  const events = sampleEvents(200, { tenants: TENANTS, seed: 7, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);

  // Kill once part of the stream is through: some delivered, most not.
  const deadline = Date.now() + 60_000;
  while (pipeline.goodera.stats().accepted < 40 && Date.now() < deadline) await sleep(20);
  const acceptedAtKill = pipeline.goodera.stats().accepted;
  first.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  expect(acceptedAtKill).toBeGreaterThanOrEqual(40);
  expect(acceptedAtKill).toBeLessThan(200);

  const second = spawnService('crash', pipeline.scenario.env);
  services.push(second);
  await second.started;
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 200, 150_000);

  const stats = pipeline.goodera.stats();
  const results = pipeline.results();
  const reconciled = await pipeline.scenario.db.selectFrom('impact_deliveries').select('event_id').execute();
  process.stdout.write(
    `crash-recovery: accepted at kill ${acceptedAtKill}, accepted ${stats.accepted}, distinct ${stats.distinctKeys}, duplicate sends ${stats.duplicates}\n`,
  );
  expect(stats.distinctKeys).toBe(200);
  expect(stats.duplicates).toBe(0);
  expect(results).toHaveLength(200);
  expect(new Set(results.map((r) => r.eventId))).toEqual(new Set(ids));
  expect(results.every((r) => r.status === 'delivered')).toBe(true);
  expect(reconciled).toHaveLength(200);
});
