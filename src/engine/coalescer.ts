/**
 * Coalesces concurrent requests into batches: a request alone is run at once — no timer, no
 * added latency — and the requests that arrive while a batch is running are run together as the
 * next one. The pattern behind group commit (final rows of deliveries finishing together share a
 * transaction) and batched lookups (the state queries of the deliveries in flight share a query).
 * Pure: what a batch does is injected.
 *
 * Each caller gets its own answer from the batch's map, by its id; a failed batch fails every
 * caller in it. Two requests with one id never share a batch (a statement must not touch one row
 * twice): the later waits for the next, in order.
 */
export interface CoalescedItem<T> {
  /** Identifies the request's row or key. */
  readonly id: string;
  readonly value: T;
}

interface Waiting<T, R> {
  readonly item: CoalescedItem<T>;
  readonly resolve: (answer: R) => void;
  readonly reject: (error: unknown) => void;
}

export class Coalescer<T, R> {
  readonly #run: (items: readonly CoalescedItem<T>[]) => Promise<ReadonlyMap<string, R>>;
  readonly #maxBatch: number;
  #queue: Waiting<T, R>[] = [];
  #running = false;

  /** `run` handles one batch and answers each item by its id. */
  constructor(run: (items: readonly CoalescedItem<T>[]) => Promise<ReadonlyMap<string, R>>, maxBatch = 500) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be an integer ≥ 1');
    this.#run = run;
    this.#maxBatch = maxBatch;
  }

  submit(item: CoalescedItem<T>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  /** Requests waiting for the next batch. */
  get waiting(): number {
    return this.#queue.length;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const batch: Waiting<T, R>[] = [];
        const later: Waiting<T, R>[] = [];
        const ids = new Set<string>();
        for (const entry of this.#queue) {
          if (batch.length < this.#maxBatch && !ids.has(entry.item.id)) {
            ids.add(entry.item.id);
            batch.push(entry);
          } else later.push(entry);
        }
        this.#queue = later;
        try {
          const answers = await this.#run(batch.map((entry) => entry.item));
          for (const entry of batch) {
            if (answers.has(entry.item.id)) entry.resolve(answers.get(entry.item.id)!);
            else entry.reject(new Error(`no answer for ${entry.item.id} in its batch`));
          }
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
