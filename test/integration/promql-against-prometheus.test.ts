/**
 * What must hold: after a short pipeline run scraped by a real Prometheus, every PromQL expression
 * of every Grafana panel and alert rule parses and returns series (no panel or alert watches a
 * metric that does not exist), and once the pipeline is idle every consumer group's lag reads 0
 * (the router's included, despite the commit markers of the redactor's transactions).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { PLATFORM_KINDS } from '../../src/domain/routing.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../src/simulators/workday/index.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { startPrometheus, type PrometheusProcess } from './helpers/prometheus-process.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BENEVITY = { clientId: 'client-acme', clientSecret: 'secret-acme-0123', callbackSecret: 'callback-secret-acme-0123456789' };
const WORKDAY = { tenant: 'acme_prod', clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', refreshToken: 'wd-refresh-0123456789' };
let benevity: BenevitySimulator;
let workday: WorkdaySimulator;
let pipeline: Pipeline;
let service: ServiceProcess;
let prometheus: PrometheusProcess;

/** Every panel target of deploy/grafana/dashboards/*.json, with Grafana's variables as a query would get them. */
function dashboardExpressions(): { where: string; expr: string }[] {
  const dir = `${ROOT}deploy/grafana/dashboards`;
  return readdirSync(dir).flatMap((file) => {
    const dashboard = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    return dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({
        where: `${file} › ${panel.title}`,
        expr: target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h').replaceAll('$__interval', '1s').replaceAll('$platform', '.*'),
      })),
    );
  });
}

/** Every alert's expression, its thresholds made `bool` so a healthy run still returns the series it compares. */
function alertExpressions(): { where: string; expr: string }[] {
  const text = readFileSync(`${ROOT}deploy/prometheus/alerts.yml`, 'utf8');
  const alerts = [...text.matchAll(/- alert: (\S+)\n(?:\s+#.*\n)*\s+expr: (\|\n((?:\s{10}.*\n)+)|(.*)\n)/g)];
  return alerts.map((match) => ({
    where: `alerts.yml › ${match[1]}`,
    expr: (match[3] ?? match[4]!).replace(/\s+/g, ' ').trim().replace(/(<=|>=|==|!=|<|>)\s*(?=[\d.])/g, '$1 bool '),
  }));
}

beforeAll(async () => {
  benevity = await startBenevitySimulator({ clients: { [BENEVITY.clientId]: BENEVITY.clientSecret }, callbackSecret: BENEVITY.callbackSecret, importDelayMs: 50 });
  workday = await startWorkdaySimulator({
    tenants: { [WORKDAY.tenant]: { clientId: WORKDAY.clientId, clientSecret: WORKDAY.clientSecret, refreshToken: WORKDAY.refreshToken } },
  });
  // A tight Goodera budget, so the run also waits for rate-limit tokens.
  pipeline = await createPipeline('promql', { BENEVITY_BASE_URL: benevity.url, WORKDAY_BASE_URL: workday.url, GOODERA_RATE_LIMIT_PER_MINUTE: '120' });
  await pipeline.scenario.tenants.upsertPlatform('acme', 'benevity', BENEVITY);
  await pipeline.scenario.tenants.upsertPlatform('acme', 'workday', WORKDAY);
  service = spawnService('promql', pipeline.scenario.env);
  const healthPort = await service.started;
  prometheus = await startPrometheus([`127.0.0.1:${healthPort}`]);
});

afterAll(async () => {
  await service?.stop();
  await prometheus?.stop();
  await pipeline?.close();
  await benevity?.close();
  await workday?.close();
});

test('every dashboard panel and alert expression returns series, and lag reads 0 when idle', async () => {
  const events = sampleEvents(30, { tenants: ['acme', 'globex'], seed: 14, now: new Date() });
  const ids = await pipeline.publisher.publishImpactEvents(events);
  // One malformed message: a dead letter for the dead-letter panels and alert.
  await pipeline.publisher.publishRaw([{ key: 'acme:x', value: Buffer.from('not an event') }]);
  let expected = 0;
  for (const event of events) {
    const platforms = event.tenantId === 'acme' ? (['benevity', 'goodera', 'workday'] as const) : (['goodera'] as const);
    expected += platforms.filter((platform) => PLATFORM_KINDS[platform].includes(event.kind)).length;
  }
  expect(ids).toHaveLength(30);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= expected, 150_000);

  // Idle now: wait for Prometheus to see every result, then for the groups' commits to settle.
  const total = async () => Number((await prometheus.query('sum(impactin_results_total)'))[0]?.value[1] ?? 0);
  for (const deadline = Date.now() + 60_000; (await total()) < expected && Date.now() < deadline; ) await sleep(500);
  expect(await total()).toBe(expected);
  const lagging = async () => (await prometheus.query('max by (group, topic, partition) (impactin_consumer_lag) > 0')).map((s) => s.metric);
  for (const deadline = Date.now() + 30_000; (await lagging()).length > 0 && Date.now() < deadline; ) await sleep(500);
  expect(await lagging()).toEqual([]);
  const groups = new Set((await prometheus.query('impactin_consumer_lag')).map((s) => s.metric.group));
  expect([...groups].some((group) => group!.endsWith('impact-in.router'))).toBe(true);
  expect(groups.size).toBe(5);

  // rate() and increase() need two samples of a series: let every results series get a few scrapes.
  const fewest = async () => Number((await prometheus.query('min(count_over_time(impactin_results_total[1m]))'))[0]?.value[1] ?? 0);
  for (const deadline = Date.now() + 30_000; (await fewest()) < 4 && Date.now() < deadline; ) await sleep(500);

  const expressions = [...dashboardExpressions(), ...alertExpressions()];
  expect(alertExpressions()).toHaveLength(8);
  const empty: string[] = [];
  for (const { where, expr } of expressions) {
    const series = await prometheus.query(expr);
    if (series.length === 0) empty.push(`${where}: ${expr}`);
  }
  expect(empty).toEqual([]);
});
