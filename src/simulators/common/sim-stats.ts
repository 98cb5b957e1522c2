import type { FaultSpec } from './fault-injector.ts';
import type { RecordStats } from './record-store.ts';

/**
 * Request outcomes per route: an HTTP status (`'201'`), or what happened instead of an answer:
 * `'timeout'`, `'reset'`, `'applied_response_lost'`. Control API calls are not counted; requests
 * matching no route count under `'unmatched'`.
 */
export type RequestCounts = Record<string, Record<string, number>>;

/** What `GET /__sim/stats` answers. */
export interface SimStats extends RecordStats {
  readonly requests: RequestCounts;
  /** Active faults with their remaining counts. */
  readonly faults: FaultSpec[];
}

export class RequestCounter {
  #counts: RequestCounts = {};

  count(route: string, outcome: string | number): void {
    const perRoute = (this.#counts[route] ??= {});
    const key = String(outcome);
    perRoute[key] = (perRoute[key] ?? 0) + 1;
  }

  snapshot(): RequestCounts {
    return Object.fromEntries(Object.entries(this.#counts).map(([route, counts]) => [route, { ...counts }]));
  }

  reset(): void {
    this.#counts = {};
  }
}
