/**
 * Panels drawn as SVG in Grafana's dark style: a time series chart (lines over a time axis, a
 * value axis in the panel's unit) and a stat (one large value per series). Pure functions of
 * the data, so a rendering is reproducible from the same Prometheus answers.
 */

export const COLORS = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#fade2a', '#37872d', '#ff9830', '#96d98d', '#ca95e5'];
export const THEME = { page: '#111217', panel: '#181b1f', border: '#2c3235', text: '#ccccdc', muted: '#8e8e9e', grid: '#2c3235' };

export interface Line {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function trim(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(n.toFixed(digits)));
}

function si(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

/** A value in a Grafana unit (the ones our dashboards use: ops, percentunit, s, short). */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'percentunit':
      return `${trim(value * 100)}%`;
    case 'ops':
      return `${si(value)} ops/s`;
    case 's': {
      const abs = Math.abs(value);
      if (abs === 0) return '0 s';
      if (abs < 1) return `${trim(value * 1000)} ms`;
      if (abs < 120) return `${trim(value)} s`;
      if (abs < 7200) return `${trim(value / 60)} min`;
      return `${trim(value / 3600)} h`;
    }
    default:
      return si(value);
  }
}

/** About `count` round steps covering [min, max]. */
function ticks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

const TIME_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600];

function timeTicks(start: number, end: number, count: number): number[] {
  const step = TIME_STEPS.find((s) => (end - start) / s <= count) ?? TIME_STEPS.at(-1)!;
  const out: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

const clock = (t: number, withSeconds: boolean) => new Date(t * 1000).toISOString().slice(11, withSeconds ? 19 : 16);

/** A time series chart of `lines` over [start, end], `width` × `height` pixels. */
export function timeSeriesSvg(lines: readonly Line[], unit: string, start: number, end: number, width: number, height: number): string {
  const values = lines.flatMap((l) => l.points.map(([, v]) => v)).filter(Number.isFinite);
  const left = 74;
  const right = 12;
  const top = 8;
  const bottom = 22;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="Inter, Helvetica, Arial, sans-serif" font-size="11">`];
  if (values.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" fill="${THEME.muted}" font-size="14" text-anchor="middle">No data</text></svg>`);
    return parts.join('');
  }
  let lo = Math.min(0, ...values);
  let hi = Math.max(...values);
  if (hi === lo) hi = lo + (unit === 'percentunit' ? 1 : 1);
  const yTicks = ticks(lo, hi, 4);
  lo = Math.min(lo, yTicks[0]!);
  hi = Math.max(hi, yTicks.at(-1)!);
  const x = (t: number) => left + ((t - start) / (end - start || 1)) * plotW;
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  for (const tick of yTicks) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="${THEME.grid}"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(tick) + 4).toFixed(1)}" fill="${THEME.muted}" text-anchor="end">${esc(formatValue(tick, unit))}</text>`);
  }
  const tTicks = timeTicks(start, end, 6);
  const withSeconds = tTicks.length > 1 && (tTicks[1]! - tTicks[0]!) < 60;
  for (const tick of tTicks) {
    parts.push(`<line x1="${x(tick).toFixed(1)}" x2="${x(tick).toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="${THEME.grid}"/>`);
    parts.push(`<text x="${x(tick).toFixed(1)}" y="${height - 6}" fill="${THEME.muted}" text-anchor="middle">${clock(tick, withSeconds)}</text>`);
  }
  for (const line of lines) {
    // A gap (NaN, or a missing step) breaks the line, as Grafana draws it.
    const segments: string[][] = [];
    let current: string[] = [];
    let previous: number | undefined;
    const step = line.points.length > 1 ? Math.min(...line.points.slice(1).map(([t], i) => t - line.points[i]![0])) : 0;
    for (const [t, v] of line.points) {
      if (!Number.isFinite(v) || (previous !== undefined && step > 0 && t - previous > step * 1.5)) {
        if (current.length > 0) segments.push(current);
        current = [];
      }
      if (Number.isFinite(v)) current.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
      previous = t;
    }
    if (current.length > 0) segments.push(current);
    for (const segment of segments) {
      if (segment.length === 1) parts.push(`<circle cx="${segment[0]!.split(',')[0]}" cy="${segment[0]!.split(',')[1]}" r="1.6" fill="${line.color}"/>`);
      else parts.push(`<polyline points="${segment.join(' ')}" fill="none" stroke="${line.color}" stroke-width="1.5" stroke-linejoin="round"/>`);
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

/** One large value per series (a stat panel), laid out side by side. */
export function statSvg(stats: readonly { label: string; color: string; value: number }[], unit: string, width: number, height: number): string {
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="Inter, Helvetica, Arial, sans-serif">`];
  if (stats.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" fill="${THEME.muted}" font-size="14" text-anchor="middle">No data</text></svg>`);
    return parts.join('');
  }
  const cell = width / stats.length;
  const size = Math.max(16, Math.min(44, cell / 5, height / 3));
  stats.forEach((stat, i) => {
    const cx = cell * i + cell / 2;
    parts.push(`<text x="${cx}" y="${height / 2 - size * 0.6}" fill="${THEME.text}" font-size="13" text-anchor="middle">${esc(stat.label)}</text>`);
    parts.push(`<text x="${cx}" y="${height / 2 + size * 0.6}" fill="${stat.color}" font-size="${size}" font-weight="500" text-anchor="middle">${esc(formatValue(stat.value, unit))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
