/**
 * What must hold: the operator page, in a real browser (Debian's headless Chromium driven by
 * playwright-core), served by `impact-in admin` with no network beyond it, lets an operator look a
 * delivery up with its attempt history, redrive a dead letter (delivered once, as generation 1),
 * and plan a replay — the diff shown before Run — then run it and watch it complete; the
 * simulator counts no duplicate. Screenshots go to .stack/reports/screenshots/.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { hashToken } from '../../src/admin/auth.ts';
import { groupNames } from '../../src/kafka/topics.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { putOnDeliverTopic, redactedActivity } from './helpers/deliver-topic.ts';
import { spawnAdmin, type AdminProcess } from './helpers/admin-process.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'page-operator-token-93b1c7d5e2f4';
const SHOTS = new URL('../../.stack/reports/screenshots/', import.meta.url).pathname;
let pipeline: Pipeline;
let service: ServiceProcess | undefined;
let admin: AdminProcess | undefined;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  pipeline = await createPipeline('page');
});

afterAll(async () => {
  await browser?.close();
  await admin?.stop();
  await service?.stop();
  await pipeline?.close();
});

test('lookup, redrive and replay plan → run through the page', { timeout: 300_000 }, async () => {
  expect(existsSync(CHROMIUM), 'chromium missing: apt-get install -y chromium (scripts/test.sh does)').toBe(true);
  const env = pipeline.scenario.env;
  const from = new Date(Date.now() - 1_000);
  // Two events the group's offsets were moved past: the replay's "would send".
  const never = [randomUUID(), randomUUID()];
  await putOnDeliverTopic(pipeline, never.map((id, i) => redactedActivity(id, 'acme', `d${i}`)));
  const kafkaAdmin = pipeline.scenario.kafka.admin();
  await kafkaAdmin.connect();
  const ends = await kafkaAdmin.fetchTopicOffsets(pipeline.topics.deliver.goodera);
  await kafkaAdmin.setOffsets({
    groupId: groupNames(env.TOPIC_PREFIX!).deliver.goodera,
    topic: pipeline.topics.deliver.goodera,
    partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
  });
  await kafkaAdmin.disconnect();
  service = spawnService('page', env);
  admin = spawnAdmin('page', { ...env, ADMIN_TOKENS: `operator:operate:${hashToken(TOKEN)}` });
  await service.started;
  const base = await admin.started;

  // A dead letter (the platform answered 422) and delivered events.
  const events = sampleEvents(3, { tenants: TENANTS, seed: 51, now: new Date() });
  pipeline.goodera.injectFault({ route: '*', kind: 'status', status: 422, count: 1 });
  const [deadId] = await pipeline.publisher.publishImpactEvents([events[0]!]);
  await pipeline.tail.waitFor(pipeline.topics.deliverDlq.goodera, (m) => m.length >= 1, 60_000);
  const delivered = await pipeline.publisher.publishImpactEvents(events.slice(1));
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 3, 90_000);
  await sleep(5);
  const to = new Date();

  mkdirSync(SHOTS, { recursive: true });
  // A fresh profile each run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'impact-page-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1400 },
  });
  const page = await browser.newPage();
  // Nothing but the admin listener: a request anywhere else fails the test.
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(base)) elsewhere.push(request.url());
  });
  await page.goto(base);
  await page.fill('#token', TOKEN);
  await page.click('#token-form button[type=submit]');
  await page.waitForSelector('#platforms tbody tr');
  expect(await page.textContent('#platforms tbody')).toContain('goodera');

  // Lookup with attempt history.
  await page.fill('#lookup-event', delivered[0]!);
  await page.click('#lookup-form button[type=submit]');
  await page.waitForSelector('#delivery-summary');
  expect(await page.textContent('#delivery-summary')).toContain('delivered');
  expect(await page.textContent('#delivery')).toContain('delivered');
  await page.screenshot({ path: `${SHOTS}lookup.png`, fullPage: true });

  // Dead letters by code, then redrive.
  await page.click('#dlq-form button[type=submit]');
  await page.waitForSelector('#dlq tbody tr');
  expect(await page.textContent('#dlq-codes')).toContain('PLATFORM_REJECTED: 1');
  await page.fill('#redrive-reason', 'tenant project fixed at Goodera');
  await page.click('#redrive-run');
  await page.waitForFunction("document.querySelector('#redrive-result')?.textContent?.includes('redrive 1')");
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().some((r) => r.eventId === deadId && r.status === 'delivered' && r.generation === 1), 60_000);
  await page.screenshot({ path: `${SHOTS}redrive.png`, fullPage: true });

  // Replay: the plan's diff first, then Run, then progress to completion.
  await page.fill('#replay-from', from.toISOString());
  await page.fill('#replay-to', to.toISOString());
  await page.click('#replay-plan');
  await page.waitForSelector('#plan-summary');
  expect(await page.textContent('#plan-summary')).toContain('would send 2, would re-send 0, leave 3');
  expect(await page.isVisible('#replay-run')).toBe(true);
  await page.screenshot({ path: `${SHOTS}replay-plan.png`, fullPage: true });
  await page.click('#replay-run');
  await page.waitForFunction("document.querySelector('#replays tbody')?.textContent?.includes('completed')", undefined, { timeout: 60_000 });
  expect(await page.textContent('#replays tbody')).toContain('2/2');
  await pipeline.tail.waitFor(pipeline.topics.results, () => never.every((id) => pipeline.results().some((r) => r.eventId === id && r.status === 'delivered')), 90_000);
  await page.screenshot({ path: `${SHOTS}replay-run.png`, fullPage: true });

  expect(elsewhere).toEqual([]);
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: 5, duplicates: 0 });
});
