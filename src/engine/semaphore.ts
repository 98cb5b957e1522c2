/**
 * A counting semaphore: the process-wide bound on deliveries in flight, shared by every
 * partition's scheduler of a process. Waiters are served first come, first served. Pure.
 */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  readonly permits: number;

  constructor(permits: number) {
    this.permits = permits;
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError('permits must be an integer ≥ 1');
    this.#free = permits;
  }

  /** Resolves once a permit is held; give it back with release(). */
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next(); // the permit passes straight to the next waiter
    else if (this.#free < this.permits) this.#free++;
  }

  /** Permits in use. */
  get inUse(): number {
    return this.permits - this.#free;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#waiting.length;
  }
}
