/**
 * The Grafana dashboards of deploy/grafana/dashboards as data to render: each panel with its
 * place on the 24-column grid, its unit and its PromQL targets, and Grafana's variables filled
 * in as a query over a given range would get them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface Target {
  readonly expr: string;
  readonly legendFormat?: string;
}

export interface Panel {
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly unit: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets: readonly Target[];
}

export interface Dashboard {
  /** The file's name without `.json` (the image is named after it). */
  readonly name: string;
  readonly title: string;
  readonly panels: readonly Panel[];
}

export function loadDashboards(dir: string): Dashboard[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        title: string;
        panels: { type: string; title: string; gridPos: Panel['gridPos']; fieldConfig?: { defaults?: { unit?: string } }; targets: Target[] }[];
      };
      return {
        name: basename(file, '.json'),
        title: json.title,
        panels: json.panels.map((panel) => {
          if (panel.type !== 'timeseries' && panel.type !== 'stat') throw new Error(`${file}: panel "${panel.title}" is a ${panel.type}; only timeseries and stat are drawn`);
          return {
            type: panel.type,
            title: panel.title,
            unit: panel.fieldConfig?.defaults?.unit ?? 'short',
            gridPos: panel.gridPos,
            targets: panel.targets.map((t) => ({ expr: t.expr, ...(t.legendFormat === undefined ? {} : { legendFormat: t.legendFormat }) })),
          };
        }),
      };
    });
}

export interface Variables {
  /** The whole range, seconds ($__range). */
  readonly rangeSeconds: number;
  /** The step between points, seconds ($__interval). */
  readonly stepSeconds: number;
  /** The window of rate() and increase() ($__rate_interval), seconds. */
  readonly rateIntervalSeconds: number;
}

/** A panel expression with Grafana's variables replaced: every platform, the run's range and intervals. */
export function withVariables(expr: string, v: Variables): string {
  return expr
    .replaceAll('$__rate_interval', `${v.rateIntervalSeconds}s`)
    .replaceAll('$__range', `${Math.max(1, Math.round(v.rangeSeconds))}s`)
    .replaceAll('$__interval', `${v.stepSeconds}s`)
    .replaceAll('$platform', '.*');
}

/** A series' legend: the target's legendFormat with `{{label}}` filled in, else its labels. */
export function legendOf(target: Target, metric: Readonly<Record<string, string>>): string {
  if (target.legendFormat !== undefined && target.legendFormat !== '') {
    return target.legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label: string) => metric[label] ?? '');
  }
  const labels = Object.entries(metric).filter(([name]) => name !== '__name__');
  return labels.length === 0 ? target.expr.slice(0, 60) : labels.map(([name, value]) => `${name}=${value}`).join(', ');
}
