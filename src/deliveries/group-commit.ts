/**
 * Group commit for final outcomes: the deliveries of one platform that finish while a write is in
 * progress are written together, in ONE transaction, as soon as it ends (rows, attempt histories
 * and outbox messages: DeliveryRepository.recordFinals). Alone, a delivery is written at once —
 * no timer, no added latency; under concurrency the transactions (BEGIN, insert, outbox, COMMIT)
 * are shared by everything that finished meanwhile. Pure: the write itself is injected.
 *
 * Each caller learns its own answer: true when its row was newly recorded, false when a row was
 * already there (another attempt won). A failed transaction fails every caller in it (each
 * retries its own delivery, as it would after its own failed transaction). Two outcomes of one
 * event never share a transaction (PostgreSQL refuses to touch one row twice in a statement):
 * the later one waits for the next.
 */
export interface GroupCommitItem<T> {
  /** Identifies the row: items with one id go in separate transactions, in order. */
  readonly id: string;
  readonly value: T;
}

interface Waiting<T> {
  readonly item: GroupCommitItem<T>;
  readonly resolve: (recorded: boolean) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  readonly #write: (values: readonly T[]) => Promise<ReadonlySet<string>>;
  readonly #maxBatch: number;
  #queue: Waiting<T>[] = [];
  #writing = false;

  /** `write` records the values and returns the ids newly recorded. */
  constructor(write: (values: readonly T[]) => Promise<ReadonlySet<string>>, maxBatch = 500) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be an integer ≥ 1');
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  /** Resolves true once the value is committed as a new row, false if its row already existed. */
  write(item: GroupCommitItem<T>): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#writing) void this.#flush();
    });
  }

  /** Writes waiting now (a metric: how much the last transactions shared). */
  get waiting(): number {
    return this.#queue.length;
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch: Waiting<T>[] = [];
        const later: Waiting<T>[] = [];
        const ids = new Set<string>();
        for (const entry of this.#queue) {
          if (batch.length < this.#maxBatch && !ids.has(entry.item.id)) {
            ids.add(entry.item.id);
            batch.push(entry);
          } else later.push(entry);
        }
        this.#queue = later;
        try {
          const recorded = await this.#write(batch.map((entry) => entry.item.value));
          for (const entry of batch) entry.resolve(recorded.has(entry.item.id));
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}
