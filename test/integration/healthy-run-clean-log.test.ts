/**
 * What must hold: the log of a healthy run — start-up with topics just created, 200 events and 5
 * malformed ones through every role, a clean stop — holds no ERROR or WARN line and no Node.js
 * warning, so an SRE who reads it sees an error only when there is one.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  // Production's request timeout and lease, not the short ones other scenarios use to provoke
  // failures: this run is meant to be healthy, on however loaded a machine.
  pipeline = await createPipeline('cleanlog', { HTTP_REQUEST_TIMEOUT_MS: '15000', IDEMPOTENCY_LEASE_MS: '60000' });
  service = spawnService('cleanlog', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

test('200 events and 5 malformed through every role, then SIGTERM: no line at warn or above', async () => {
  const ids = await pipeline.publisher.publishImpactEvents(sampleEvents(200, { tenants: TENANTS, seed: 77, now: new Date() }));
  await pipeline.publisher.publishRaw(
    Array.from({ length: 5 }, (_, n) => ({ key: `malformed-${n}`, value: n % 2 === 0 ? '{"not":"an impact event"' : '{"kind":"donation"}' })),
  );
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= ids.length, 120_000);
  await pipeline.tail.waitFor(pipeline.topics.eventsDlq, (messages) => messages.length >= 5, 60_000);
  expect(await service.stop()).toBe(0);

  const lines = (await readFile(service.logFile, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const loud: string[] = [];
  const notJson: string[] = [];
  for (const line of lines) {
    let entry: { level?: number };
    try {
      entry = JSON.parse(line) as { level?: number };
    } catch {
      notJson.push(line); // Node's own warnings (TimeoutNegativeWarning, deprecations) land here
      continue;
    }
    if ((entry.level ?? 0) >= 40) loud.push(line);
  }
  expect(loud).toEqual([]);
  expect(notJson).toEqual([]);
  // The run did log: it started, handled events and stopped.
  expect(lines.some((line) => line.includes('"msg":"impact-in started"'))).toBe(true);
  expect(lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
});
