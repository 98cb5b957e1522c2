/**
 * The commit watermark of one fetched run of a partition's messages (Confluent Parallel Consumer,
 * key-ordered mode): messages finish in any order, but the offset that may be committed is the
 * last one below which EVERY message is final. A message that finished above an unfinished one
 * is not committed; if the partition is given up before the gap closes, it is offered again, and
 * the deliverer's PostgreSQL check finds it final and sends nothing. Pure: no I/O.
 */
export class OffsetTracker {
  readonly #offsets: readonly string[];
  readonly #done: boolean[];
  /** Index of the last message of the finished prefix; -1 while the first is unfinished. */
  #watermark = -1;

  /** `offsets`: the run's offsets in partition order. */
  constructor(offsets: readonly string[]) {
    this.#offsets = offsets;
    this.#done = offsets.map(() => false);
  }

  /** Marks the message at `index` final; returns the new committable offset if the watermark moved, else null. */
  complete(index: number): string | null {
    if (!Number.isInteger(index) || index < 0 || index >= this.#done.length) throw new RangeError(`no message at index ${index}`);
    this.#done[index] = true;
    const before = this.#watermark;
    while (this.#watermark + 1 < this.#done.length && this.#done[this.#watermark + 1]) this.#watermark++;
    return this.#watermark > before ? this.#offsets[this.#watermark]! : null;
  }

  /** The last offset below which everything is final (null: nothing yet). */
  get committable(): string | null {
    return this.#watermark < 0 ? null : this.#offsets[this.#watermark]!;
  }

  /** Messages finished above the watermark (done out of order, waiting for a gap to close). */
  get finishedAhead(): number {
    let count = 0;
    for (let i = this.#watermark + 1; i < this.#done.length; i++) if (this.#done[i]) count++;
    return count;
  }

  /** Whether every message of the run is final. */
  get allFinal(): boolean {
    return this.#watermark === this.#done.length - 1;
  }
}
