/**
 * A dashboard as one HTML page — its panels on Grafana's 24-column grid, each a title, a chart
 * (SVG) and a legend — and that page screenshot to PNG by playwright-core driving Debian's
 * chromium (no network: the page is self-contained).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Dashboard, Panel } from './dashboards.ts';
import { COLORS, formatValue, statSvg, THEME, timeSeriesSvg, type Line } from './svg.ts';

export const CHROMIUM = '/usr/bin/chromium';
const WIDTH = 1600;
const ROW = 34;
const GAP = 8;
const TITLE = 30;
const LEGEND_LINE = 15;

/** The legend's height: its items packed into lines of the panel's width (about 6 px a character). */
function legendHeight(items: readonly string[], width: number): number {
  let lines = 1;
  let used = 0;
  for (const item of items) {
    const w = item.length * 6 + 31;
    if (used > 0 && used + w > width) {
      lines++;
      used = 0;
    }
    used += w;
  }
  return lines * LEGEND_LINE + 6;
}

/** A panel's data: its series, each with a legend, over the range (timeseries) or at its end (stat). */
export interface PanelData {
  readonly panel: Panel;
  readonly series: readonly { label: string; points: readonly (readonly [number, number])[] }[];
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panelHtml({ panel, series }: PanelData, start: number, end: number): string {
  const col = (WIDTH - GAP) / 24;
  const left = panel.gridPos.x * col + GAP;
  const top = panel.gridPos.y * ROW + GAP;
  const width = panel.gridPos.w * col - GAP;
  const height = panel.gridPos.h * ROW - GAP;
  const colored = series.map((s, i) => ({ ...s, color: COLORS[i % COLORS.length]! }));
  let body: string;
  let legend = '';
  if (panel.type === 'stat') {
    const stats = colored.map((s) => ({ label: s.label, color: s.color, value: s.points.at(-1)?.[1] ?? Number.NaN }));
    body = statSvg(stats, panel.unit, width - 16, height - TITLE - 8);
  } else {
    const lines: Line[] = colored;
    const last = (s: (typeof colored)[number]) => [...s.points].reverse().find(([, v]) => Number.isFinite(v))?.[1] ?? Number.NaN;
    // At most half the panel; a longer legend is cut, as Grafana's scrolls.
    const legendH = Math.min(legendHeight(colored.map((s) => `${s.label} ${formatValue(last(s), panel.unit)}`), width - 16), (height - TITLE) / 2);
    body = timeSeriesSvg(lines, panel.unit, start, end, width - 16, height - TITLE - legendH);
    legend = `<div class="legend" style="height:${legendH}px">${colored
      .map((s) => `<span><i style="background:${s.color}"></i>${esc(s.label)} <em>${esc(formatValue(last(s), panel.unit))}</em></span>`)
      .join('')}</div>`;
  }
  return `<section style="left:${left}px;top:${top}px;width:${width}px;height:${height}px"><h2>${esc(panel.title)}</h2>${body}${legend}</section>`;
}

export function dashboardHtml(dashboard: Dashboard, panels: readonly PanelData[], start: number, end: number): string {
  const rows = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
  const range = `${new Date(start * 1000).toISOString().slice(0, 19)}Z → ${new Date(end * 1000).toISOString().slice(11, 19)}Z`;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:${THEME.page};color:${THEME.text};font:13px Inter,Helvetica,Arial,sans-serif}
header{display:flex;justify-content:space-between;padding:12px 16px 4px;font-size:18px}
header small{color:${THEME.muted};font-size:12px}
main{position:relative;width:${WIDTH}px;height:${rows * ROW + GAP}px}
section{position:absolute;box-sizing:border-box;background:${THEME.panel};border:1px solid ${THEME.border};border-radius:3px;padding:0 8px;overflow:hidden}
h2{font-size:13px;font-weight:500;margin:0;height:${TITLE}px;line-height:${TITLE}px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.legend{overflow:hidden;font-size:11px;line-height:${LEGEND_LINE}px}
.legend span{display:inline-block;margin-right:14px;white-space:nowrap}
.legend i{display:inline-block;width:12px;height:3px;margin:0 5px 3px 0;vertical-align:middle}
.legend em{color:${THEME.muted};font-style:normal}
</style></head><body><header><span>${esc(dashboard.title)}</span><small>Prometheus, ${esc(range)} · platform = All</small></header>
<main>${panels.map((p) => panelHtml(p, start, end)).join('')}</main></body></html>`;
}

/** Screenshots each page to its PNG path with one headless chromium. */
export async function screenshot(pages: readonly { html: string; path: string }[]): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium missing at ${CHROMIUM}: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'impact-dashboards-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: WIDTH, height: 900 },
  });
  try {
    const page = await browser.newPage();
    for (const { html, path } of pages) {
      await page.setContent(html, { waitUntil: 'load' });
      await page.screenshot({ path, fullPage: true });
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
