/**
 * Renders each Grafana dashboard (deploy/grafana/dashboards/*.json) from real Prometheus data into
 * docs/images/dashboard-<name>.png, for the README — there is no Grafana here. Every panel's PromQL
 * is run against Prometheus' HTTP API over the range (instant at its end for stat panels), drawn
 * as SVG and the page screenshot by headless chromium (/usr/bin/chromium via playwright-core).
 *
 *   node bench/render-dashboards.ts                 a short run of its own first (local stack up:
 *                                                   Kafka, PostgreSQL, Redis, registry), ~3 min
 *   node bench/render-dashboards.ts --seconds 120 --per-wave 20
 *   node bench/render-dashboards.ts --prometheus http://127.0.0.1:9090 --minutes 15
 *                                                   the last 15 min of a running Prometheus instead
 *                                                   (e.g. `stack.sh observability up` then `make demo`)
 *   --out DIR (default docs/images)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { patchKafkajsNegativeTimeout } from '../src/kafka/kafkajs/node-warnings.ts';
import { loadDashboards, legendOf, withVariables, type Variables } from './dashboards/dashboards.ts';
import { runPipeline } from './dashboards/pipeline-run.ts';
import { dashboardHtml, screenshot, type PanelData } from './dashboards/page.ts';
import { queryInstant, queryRange } from './dashboards/prometheus-api.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '90' },
    'per-wave': { type: 'string', default: '15' },
    prometheus: { type: 'string' },
    minutes: { type: 'string', default: '15' },
    scrape: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'docs/images') },
  },
});
const positive = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${text}`);
  return n;
};
const log = (line: string) => process.stderr.write(`render-dashboards: ${line}\n`);

// This process talks to Kafka too (publisher, results tail): the service's fix of kafkajs's negative timer.
patchKafkajsNegativeTimeout();
const run = values.prometheus
  ? null
  : await runPipeline({ seconds: positive('seconds', values.seconds), perWave: positive('per-wave', values['per-wave']), log });
try {
  const base = run ? run.prometheus.url : values.prometheus!;
  const end = run ? run.end : Math.floor(Date.now() / 1000);
  const start = run ? run.start : end - Math.round(positive('minutes', values.minutes) * 60);
  // Our own Prometheus scrapes every second; the stack's every 5 s.
  const scrape = values.scrape ? positive('scrape', values.scrape) : run ? 1 : 5;
  const step = Math.max(1, Math.ceil((end - start) / 300));
  const vars: Variables = { rangeSeconds: end - start, stepSeconds: step, rateIntervalSeconds: Math.max(20, 4 * scrape, step + scrape) };
  mkdirSync(values.out, { recursive: true });
  mkdirSync(join(ROOT, '.stack/reports'), { recursive: true });
  const pages: { html: string; path: string }[] = [];
  for (const dashboard of loadDashboards(join(ROOT, 'deploy/grafana/dashboards'))) {
    const panels: PanelData[] = [];
    for (const panel of dashboard.panels) {
      const series: PanelData['series'][number][] = [];
      for (const target of panel.targets) {
        const expr = withVariables(target.expr, vars);
        const found = panel.type === 'stat' ? await queryInstant(base, expr, end) : await queryRange(base, expr, start, end, step);
        for (const s of found) series.push({ label: legendOf(target, s.metric), points: s.points });
      }
      series.sort((a, b) => a.label.localeCompare(b.label));
      const drawn = series.filter((s) => s.points.some(([, v]) => Number.isFinite(v))).length;
      log(`${dashboard.name} › ${panel.title}: ${drawn} series with data`);
      panels.push({ panel, series });
    }
    const html = dashboardHtml(dashboard, panels, start, end);
    const path = join(values.out, `dashboard-${dashboard.name}.png`);
    // The page as drawn, kept for a look in a browser.
    writeFileSync(join(ROOT, '.stack/reports', `dashboard-${dashboard.name}.html`), html);
    pages.push({ html, path });
  }
  await screenshot(pages);
  for (const { path } of pages) log(`wrote ${path}`);
} finally {
  await run?.close();
}
