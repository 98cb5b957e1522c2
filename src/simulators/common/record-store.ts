/**
 * What a simulator accepted, keyed by business key. None of the platforms documents server-side
 * idempotency, so a second accepted write with the same business key is stored like the first —
 * and counted as a duplicate. The duplicate count is how tests prove "nothing doubled".
 */
export interface RecordStats {
  /** Accepted writes, duplicates included. */
  readonly accepted: number;
  /** Distinct business keys among them. */
  readonly distinctKeys: number;
  /** Accepted writes beyond the first per business key (`accepted - distinctKeys`). */
  readonly duplicates: number;
  /** Business keys written more than once, in first-seen order. */
  readonly duplicateKeys: string[];
}

export interface StoredEntry<T> {
  readonly key: string;
  readonly value: T;
}

export interface AddResult {
  /** True when the business key had been stored before. */
  readonly duplicate: boolean;
}

export class RecordStore<T> {
  #entries: StoredEntry<T>[] = [];
  #byKey = new Map<string, T[]>();

  add(key: string, value: T): AddResult {
    const existing = this.#byKey.get(key);
    this.#entries.push({ key, value });
    if (existing === undefined) {
      this.#byKey.set(key, [value]);
      return { duplicate: false };
    }
    existing.push(value);
    return { duplicate: true };
  }

  /**
   * Deletes every write of a business key, as a platform user deleting the record would: a later
   * write of that key is then a new record, not a duplicate. Returns how many were removed.
   */
  remove(key: string): number {
    const removed = this.#byKey.get(key)?.length ?? 0;
    this.#byKey.delete(key);
    this.#entries = this.#entries.filter((entry) => entry.key !== key);
    return removed;
  }

  /** Every stored write for the business key, oldest first (empty when none). */
  lookup(key: string): T[] {
    return [...(this.#byKey.get(key) ?? [])];
  }

  /** Every stored write, in acceptance order. */
  all(): StoredEntry<T>[] {
    return [...this.#entries];
  }

  stats(): RecordStats {
    const duplicateKeys = [...this.#byKey].filter(([, values]) => values.length > 1).map(([key]) => key);
    return {
      accepted: this.#entries.length,
      distinctKeys: this.#byKey.size,
      duplicates: this.#entries.length - this.#byKey.size,
      duplicateKeys,
    };
  }

  reset(): void {
    this.#entries = [];
    this.#byKey = new Map();
  }
}
