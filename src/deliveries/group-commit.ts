/**
 * Group commit for final outcomes: the deliveries of one platform that finish while a write is in
 * progress are written together, in ONE transaction, as soon as it ends (rows, attempt histories
 * and outbox messages: DeliveryRepository.recordFinals). Alone, a delivery is written at once —
 * no timer, no added latency; under concurrency the transactions (BEGIN, insert, outbox, COMMIT)
 * are shared by everything that finished meanwhile (src/engine/coalescer.ts).
 *
 * Each caller learns its own answer: true when its row was newly recorded, false when a row was
 * already there (another attempt won). A failed transaction fails every caller in it (each
 * retries its own delivery, as it would after its own failed transaction). Two outcomes of one
 * event never share a transaction (PostgreSQL refuses to touch one row twice in a statement):
 * the later one waits for the next.
 */
import { Coalescer, type CoalescedItem } from '../engine/coalescer.ts';

export type GroupCommitItem<T> = CoalescedItem<T>;

export class GroupCommit<T> {
  readonly #coalescer: Coalescer<T, boolean>;

  /** `write` records the values and returns the ids newly recorded. */
  constructor(write: (values: readonly T[]) => Promise<ReadonlySet<string>>, maxBatch = 500) {
    this.#coalescer = new Coalescer<T, boolean>(async (items) => {
      const recorded = await write(items.map((item) => item.value));
      return new Map(items.map((item) => [item.id, recorded.has(item.id)]));
    }, maxBatch);
  }

  /** Resolves true once the value is committed as a new row, false if its row already existed. */
  write(item: GroupCommitItem<T>): Promise<boolean> {
    return this.#coalescer.submit(item);
  }

  /** Writes waiting now (a metric: how much the last transactions shared). */
  get waiting(): number {
    return this.#coalescer.waiting;
  }
}
