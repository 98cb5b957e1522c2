/** Prometheus' HTTP query API (range and instant queries), as the renderer needs it. */

export interface Series {
  readonly metric: Record<string, string>;
  /** [unix seconds, value] — NaN where Prometheus answered NaN (e.g. a quantile of no observations). */
  readonly points: readonly (readonly [number, number])[];
}

async function get(url: string): Promise<{ resultType: string; result: unknown[] }> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown[] } };
  if (body.status !== 'success' || !body.data) throw new Error(`prometheus: ${body.error ?? `HTTP ${response.status}`} (${url})`);
  return body.data;
}

export async function queryRange(base: string, expr: string, start: number, end: number, step: number): Promise<Series[]> {
  const data = await get(`${base}/api/v1/query_range?${new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) })}`);
  return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((s) => ({
    metric: s.metric,
    points: s.values.map(([t, v]) => [t, Number(v)] as const),
  }));
}

export async function queryInstant(base: string, expr: string, at: number): Promise<Series[]> {
  const data = await get(`${base}/api/v1/query?${new URLSearchParams({ query: expr, time: String(at) })}`);
  if (data.resultType === 'scalar') {
    const [t, v] = data.result as unknown as [number, string];
    return [{ metric: {}, points: [[t, Number(v)]] }];
  }
  return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({ metric: s.metric, points: [[s.value[0], Number(s.value[1])]] }));
}
