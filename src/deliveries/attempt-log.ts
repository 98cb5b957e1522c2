/**
 * The attempt history of a delivery: every request that left for the platform on its behalf —
 * when, how it ended (the outcome, or the error code) and how long it took. Kept in memory while
 * the delivery is in progress, carried through parking and asynchronous jobs, and written with
 * the final row (`impact_deliveries.attempt_history`) in the same transaction as its result.
 * Codes and timings only: never a payload or a platform's message.
 */
import { z } from 'zod';

export const attemptRecordSchema = z.strictObject({
  /** When the request started (ISO 8601). */
  at: z.string(),
  /** `delivered`, `rejected`, `submitted`, or the error code it failed with. */
  result: z.string().max(64),
  /** Wall time of the request, ms. */
  ms: z.number().int().min(0),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;

/** Reads a stored or carried history; anything unreadable is an empty one (the count still travels). */
export function parseAttemptHistory(value: unknown): AttemptRecord[] {
  const raw = typeof value === 'string' ? safeJson(value) : value;
  const parsed = z.array(attemptRecordSchema).max(1_000).safeParse(raw);
  return parsed.success ? parsed.data : [];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Attempts per delivery in progress, by idempotency key. */
export class AttemptLog {
  readonly #byKey = new Map<string, AttemptRecord[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Records one request that started at `startedAtMs` and ended now with `result`. */
  add(key: string, result: string, startedAtMs: number): void {
    const list = this.#byKey.get(key) ?? [];
    list.push({ at: new Date(startedAtMs).toISOString(), result, ms: Math.max(0, Math.round(this.#now() - startedAtMs)) });
    this.#byKey.set(key, list);
  }

  /** Starts a delivery's log from what it carried (a parked delivery); no-op when one is kept already. */
  seed(key: string, history: readonly AttemptRecord[]): void {
    if (history.length > 0 && !this.#byKey.has(key)) this.#byKey.set(key, [...history]);
  }

  count(key: string): number {
    return this.#byKey.get(key)?.length ?? 0;
  }

  history(key: string): readonly AttemptRecord[] {
    return this.#byKey.get(key) ?? [];
  }

  /** The delivery is final or parked: its history went with it. */
  forget(key: string): void {
    this.#byKey.delete(key);
  }
}
