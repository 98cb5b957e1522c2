/**
 * The chaos run's picture: resident memory and event-loop p99 of each service process, and the
 * pipeline's consumer backlog, over the run, with the faults drawn as bands where they were on —
 * so "flat, or explained" can be seen at a glance. An SVG written in code (PNG via bench/pipeline/chart.ts).
 */
import type { ChaosReport } from './run.ts';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
const W = 1000;
const PANEL = 190;
const GAP = 34;
const M = { left: 70, right: 190, top: 40, bottom: 40 };
const BANDS: Record<string, string> = { postgres: '#f4a6a6', kafka: '#f7c98b', net: '#b9d7f0', role: '#666', platform: '#ddd' };
const bandOf = (kind: string) => (kind.startsWith('postgres') ? 'postgres' : kind.startsWith('kafka') ? 'kafka' : kind.startsWith('net') ? 'net' : kind.startsWith('role') ? 'role' : 'platform');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const nice = (v: number) => {
  const step = 10 ** Math.floor(Math.log10(Math.max(v, 1)));
  return Math.ceil(v / step) * step;
};

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly { readonly name: string; readonly points: readonly { readonly t: number; readonly v: number }[] }[];
}

export function chaosChartSvg(report: ChaosReport): string {
  const roles = [...new Set(report.samples.map((s) => s.role))].sort();
  const per = (pick: (s: ChaosReport['samples'][number]) => number) =>
    roles.map((role) => ({
      name: role,
      points: report.samples.filter((s) => s.role === role && Number.isFinite(pick(s))).map((s) => ({ t: s.atS, v: pick(s) })).sort((a, b) => a.t - b.t),
    }));
  const panels: Panel[] = [
    { title: 'resident memory per process', unit: 'MB', series: per((s) => s.rssMb) },
    {
      title: 'event-loop delay p99 per process',
      unit: 'ms',
      series: [
        ...per((s) => s.eventLoopP99Ms),
        // Reports written before the harness was sampled have none.
        ...((report.harness?.length ?? 0) > 0 ? [{ name: 'harness (simulators)', points: report.harness.map((h) => ({ t: h.atS, v: h.eventLoopP99Ms })) }] : []),
      ],
    },
    { title: 'consumer backlog, all pipeline groups', unit: 'messages', series: [{ name: 'backlog', points: report.backlog.map((b) => ({ t: b.atS, v: b.messages })) }] },
  ];
  const H = M.top + panels.length * PANEL + (panels.length - 1) * GAP + M.bottom;
  const tMax = Math.max(1, ...report.samples.map((s) => s.atS), ...report.backlog.map((b) => b.atS));
  const x = (t: number) => M.left + (t / tMax) * (W - M.left - M.right);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="22" font-size="14" font-weight="bold">${esc(
      `chaos run, seed ${report.seed}: ${report.durationMs / 60_000} min at ${report.rate} events/s, ${report.schedule.length} faults, ${report.violations.length} violations`,
    )}</text>`,
  ];
  panels.forEach((panel, i) => {
    const top = M.top + i * (PANEL + GAP);
    const bottom = top + PANEL;
    const vMax = nice(Math.max(1, ...panel.series.flatMap((s) => s.points.map((p) => p.v))));
    const y = (v: number) => bottom - (v / vMax) * PANEL;
    for (const w of report.windows) {
      const band = bandOf(w.kind);
      if (band === 'role') out.push(`<line x1="${x(w.fromS)}" x2="${x(w.fromS)}" y1="${top}" y2="${bottom}" stroke="${BANDS.role}" stroke-width="0.8" stroke-dasharray="2 2"/>`);
      else out.push(`<rect x="${x(w.fromS)}" y="${top}" width="${Math.max(1, x(w.toS) - x(w.fromS))}" height="${PANEL}" fill="${BANDS[band]}" opacity="${band === 'platform' ? 0.35 : 0.55}"/>`);
    }
    for (let k = 0; k <= 4; k++) {
      const v = (vMax * k) / 4;
      out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
      out.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v).toLocaleString('en')}</text>`);
    }
    out.push(`<text x="${M.left}" y="${top - 6}" font-weight="bold">${esc(`${panel.title} (${panel.unit})`)}</text>`);
    out.push(`<rect x="${M.left}" y="${top}" width="${W - M.left - M.right}" height="${PANEL}" fill="none" stroke="#333"/>`);
    panel.series.forEach((s, j) => {
      const colour = COLOURS[j % COLOURS.length]!;
      const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.4"/>`);
      if (panel.series.length > 1) {
        const ly = top + 10 + j * 16;
        out.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 32}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
        out.push(`<text x="${W - M.right + 38}" y="${ly + 4}">${esc(s.name)}</text>`);
      }
    });
  });
  const last = M.top + panels.length * PANEL + (panels.length - 1) * GAP;
  const step = nice(tMax / 8);
  for (let t = 0; t <= tMax; t += step) out.push(`<text x="${x(t)}" y="${last + 16}" text-anchor="middle">${t}</text>`);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">seconds since publishing began (publishing stops at ${report.durationMs / 1000} s)</text>`);
  const legendTop = M.top + 2 * (PANEL + GAP) + 10;
  Object.entries({ 'PostgreSQL down': BANDS.postgres, 'broker down': BANDS.kafka, 'network toxic': BANDS.net, 'platform fault': BANDS.platform }).forEach(([name, colour], k) => {
    out.push(`<rect x="${W - M.right + 12}" y="${legendTop + k * 18}" width="20" height="12" fill="${colour}"/>`);
    out.push(`<text x="${W - M.right + 38}" y="${legendTop + k * 18 + 10}">${name}</text>`);
  });
  const ly = legendTop + 4 * 18 + 6;
  out.push(`<line x1="${W - M.right + 22}" x2="${W - M.right + 22}" y1="${ly - 6}" y2="${ly + 10}" stroke="${BANDS.role}" stroke-dasharray="2 2"/>`);
  out.push(`<text x="${W - M.right + 38}" y="${ly + 6}">a role SIGKILLed</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
