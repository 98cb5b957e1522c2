/**
 * The latency-over-time chart: publish → result p50 (solid) and p99 (dashed) per second of the
 * run, one colour per cell, on a logarithmic millisecond axis — an SVG written in code, and a PNG
 * of it when a Chromium is at hand (playwright-core drives it; nothing leaves the machine).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export interface Series {
  readonly name: string;
  /** Seconds since the first cell's first result (by result time), and that second's p50 and p99 in ms. */
  readonly points: readonly { readonly t: number; readonly p50: number; readonly p99: number }[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
const W = 960;
const H = 420;
const M = { left: 64, right: 220, top: 36, bottom: 44 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function latencyChartSvg(title: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.points);
  const tMax = Math.max(1, ...all.map((p) => p.t + 1));
  const decades = (v: number) => Math.log10(Math.max(1, v));
  const yTop = Math.ceil(decades(Math.max(10, ...all.map((p) => p.p99))));
  const yBottom = Math.min(yTop - 1, Math.floor(decades(Math.min(...all.map((p) => p.p50)))));
  const x = (t: number) => M.left + (t / tMax) * (W - M.left - M.right);
  const y = (ms: number) => H - M.bottom - ((Math.max(yBottom, decades(ms)) - yBottom) / (yTop - yBottom)) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let d = yBottom; d <= yTop; d++) {
    const ms = 10 ** d;
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(ms) + 4}" text-anchor="end">${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}</text>`);
  }
  const step = Math.max(1, 10 ** Math.floor(Math.log10(tMax / 4)));
  for (let t = 0; t <= tMax; t += step * (tMax / step > 10 ? 2 : 1)) {
    out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${H - M.bottom}" y2="${H - M.bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">seconds since the first cell's first result</text>`);
  out.push(`<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">publish → result (log)</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const path = (pick: (p: Series['points'][number]) => number) =>
      s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.t + 0.5).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' ');
    out.push(`<path d="${path((p) => p.p50)}" fill="none" stroke="${colour}" stroke-width="1.8"/>`);
    out.push(`<path d="${path((p) => p.p99)}" fill="none" stroke="${colour}" stroke-width="1.2" stroke-dasharray="4 3"/>`);
    const ly = M.top + 8 + i * 18;
    out.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 42}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  const ly = M.top + 16 + series.length * 18;
  out.push(`<text x="${W - M.right + 12}" y="${ly}" fill="#555">solid p50, dashed p99</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Renders the SVG to a PNG with the system Chromium; false (and nothing written) when there is none. */
export async function svgToPng(svg: string, pngPath: string, executablePath = '/usr/bin/chromium'): Promise<boolean> {
  if (!existsSync(executablePath)) return false;
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const [, width = W, height = H] = (/<svg[^>]*width="(\d+)" height="(\d+)"/.exec(svg) ?? []).map(Number);
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: pngPath });
    return true;
  } finally {
    await browser.close();
  }
}
