/**
 * What must hold: a platform down for 30 s opens its circuit breaker and its consumer pauses —
 * its lag grows, nothing is dead-lettered, its attempts are not used up — while the other
 * platforms keep delivering; once it is back, a probe closes the breaker and it drains: every
 * event delivered once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { groupNames } from '../../src/kafka/topics.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../src/simulators/workday/index.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const WORKDAY = { tenant: 'acme_prod', clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', refreshToken: 'wd-refresh-0123456789' };
let workday: WorkdaySimulator;
let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  workday = await startWorkdaySimulator({
    tenants: { [WORKDAY.tenant]: { clientId: WORKDAY.clientId, clientSecret: WORKDAY.clientSecret, refreshToken: WORKDAY.refreshToken } },
  });
  pipeline = await createPipeline('platform-down', {
    WORKDAY_BASE_URL: workday.url,
    BREAKER_RESET_MS: '3000',
    // Few attempts (the least allowed with 5 failures opening the breaker): were the outage to use
    // them up, events would be dead-lettered — they must not.
    DELIVERY_MAX_ATTEMPTS: '6',
  });
  await pipeline.scenario.tenants.upsertPlatform('acme', 'workday', WORKDAY);
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
  await workday?.close();
});

async function metrics(port: number): Promise<string> {
  return fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
}
const gauge = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);

test('Workday down for 30 s: breaker opens, its consumer pauses, Goodera goes on; then it drains', async () => {
  // Down before anything is sent: every Workday call answers 503 (the token endpoint too).
  workday.injectFault({ route: '*', kind: 'status', status: 503 });
  workday.injectFault({ route: 'token', kind: 'status', status: 503 });
  service = spawnService('platform-down', pipeline.scenario.env);
  const port = await service.started;
  const events = sampleEvents(60, { tenants: ['acme'], seed: 8, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);
  const forWorkday = ids.filter((_, i) => ['volunteer_activity', 'program_enrolment'].includes(events[i]!.kind));
  const downSince = Date.now();

  // Goodera delivers everything while Workday is down.
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().filter((r) => r.platform === 'goodera').length >= 60, 60_000);
  let text = await metrics(port);
  while (gauge(text, /impactin_breaker_state\{platform="workday"\} (\d+)/) !== 2 && Date.now() - downSince < 20_000) {
    await sleep(200);
    text = await metrics(port);
  }
  expect(gauge(text, /impactin_breaker_state\{platform="workday"\} (\d+)/)).toBe(2);
  expect(gauge(text, /impactin_paused_partitions\{stage="deliver\.workday"\} (\d+)/)).toBeGreaterThan(0);

  // Stay down for 30 s in all: no Workday result, nothing dead-lettered, the lag stands.
  await sleep(Math.max(0, 30_000 - (Date.now() - downSince)));
  expect(pipeline.results().filter((r) => r.platform === 'workday')).toEqual([]);
  expect(pipeline.tail.messages(pipeline.topics.deliverDlq.workday)).toEqual([]);
  const admin = pipeline.scenario.kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(pipeline.topics.deliver.workday);
  const [committed] = await admin.fetchOffsets({
    groupId: groupNames(pipeline.scenario.env.TOPIC_PREFIX!).deliver.workday,
    topics: [pipeline.topics.deliver.workday],
  });
  await admin.disconnect();
  const lag = ends.reduce((sum, p) => {
    const done = Number(committed!.partitions.find((c) => c.partition === p.partition)?.offset ?? -1);
    return sum + Number(p.high) - Math.max(0, done);
  }, 0);
  expect(lag).toBeGreaterThanOrEqual(forWorkday.length);
  // The breaker spared the platform: a handful of probes, not a retry storm.
  const requests = Object.values(workday.stats().requests).reduce((sum, byResult) => sum + Object.values(byResult).reduce((a, b) => a + b, 0), 0);
  expect(requests).toBeLessThan(40);

  // Back up: the next probe closes the breaker and the partitions drain.
  workday.clearFaults();
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().filter((r) => r.platform === 'workday').length >= forWorkday.length, 60_000);
  const results = pipeline.results().filter((r) => r.platform === 'workday');
  expect(new Set(results.map((r) => r.eventId))).toEqual(new Set(forWorkday));
  expect(results.every((r) => r.status === 'delivered')).toBe(true);
  expect(workday.stats()).toMatchObject({ accepted: forWorkday.length, duplicates: 0 });
  expect(pipeline.tail.messages(pipeline.topics.deliverDlq.workday)).toEqual([]);
  text = await metrics(port);
  expect(gauge(text, /impactin_breaker_state\{platform="workday"\} (\d+)/)).toBe(0);
  expect(gauge(text, /impactin_paused_partitions\{stage="deliver\.workday"\} (\d+)/)).toBe(0);
});
