/**
 * Key-ordered concurrency for one partition's messages (Confluent Parallel Consumer, key-ordered
 * mode): work of different keys runs at once; work of one key runs one at a time, in the order it
 * was submitted. Pure: no I/O, no vendor package.
 *
 * Back-pressure: `submit` resolves only once the work is accepted, and the scheduler accepts at
 * most `maxInFlight` unfinished units (running, or queued behind an earlier unit of their key),
 * each also holding a permit of the process-wide `limiter`. The consumer awaits `submit` before
 * it looks at the next message, so a full scheduler stops it taking more — and the partition is
 * not fetched again until the run in hand is dealt with.
 *
 * Halting: a unit that reports it did not finish (the partition was paused by an open breaker,
 * revoked in a rebalance, or the consumer is stopping) halts the scheduler: units not yet started
 * are skipped (also not finished), and nothing more is accepted. Units already running go on to
 * their end — finished or aborted by their own signal — and `drain` waits for them. So a later
 * unit of a key never runs after an earlier one of that key was left unfinished.
 */
import type { Semaphore } from './semaphore.ts';

/** A unit of work: resolves true when finished (its offset may be committed), false when left unfinished. */
export type Unit = () => Promise<boolean>;

/** A unit the scheduler took: `outcome` settles when it has run (or was skipped). */
export interface Accepted {
  readonly outcome: Promise<boolean>;
}

export interface KeySchedulerOptions {
  /** Unfinished units accepted at most (this partition's bound). */
  readonly maxInFlight: number;
  /** The process-wide bound, shared by every partition's scheduler. */
  readonly limiter?: Semaphore;
}

export class KeyScheduler {
  readonly #options: KeySchedulerOptions;
  /** The last accepted unit of each key: the next one of that key runs after it. */
  readonly #tails = new Map<string, Promise<boolean>>();
  readonly #running = new Set<Promise<boolean>>();
  readonly #roomWaiters: (() => void)[] = [];
  #accepted = 0;
  #halted = false;

  constructor(options: KeySchedulerOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) throw new RangeError('maxInFlight must be an integer ≥ 1');
    this.#options = options;
  }

  /**
   * Accepts `unit` for `key`, waiting while the scheduler is full. Returns the accepted unit's
   * outcome (true: finished), wrapped so that awaiting `submit` does not wait for the unit — or
   * null when the scheduler is halted and took nothing.
   */
  async submit(key: string, unit: Unit): Promise<Accepted | null> {
    while (!this.#halted && this.#accepted >= this.#options.maxInFlight) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    }
    if (this.#halted) return null;
    this.#accepted++;
    await this.#options.limiter?.acquire();
    const before = this.#tails.get(key) ?? Promise.resolve(true);
    const run: Promise<boolean> = before
      .then(async (earlierFinished) => {
        // An earlier unit of this key was left unfinished, or the scheduler halted: skip, in order.
        if (!earlierFinished || this.#halted) return false;
        const finished = await unit().catch(() => false);
        if (!finished) this.halt();
        return finished;
      })
      .finally(() => {
        this.#accepted--;
        this.#options.limiter?.release();
        this.#running.delete(run);
        if (this.#tails.get(key) === run) this.#tails.delete(key);
        this.#roomWaiters.shift()?.();
      });
    this.#tails.set(key, run);
    this.#running.add(run);
    return { outcome: run };
  }

  /** Stops accepting and starting units; those running go on to their end. */
  halt(): void {
    if (this.#halted) return;
    this.#halted = true;
    for (const wake of this.#roomWaiters.splice(0)) wake();
  }

  get halted(): boolean {
    return this.#halted;
  }

  /** Units accepted and not yet settled. */
  get inFlight(): number {
    return this.#accepted;
  }

  /** Keys with accepted, unsettled units. */
  get activeKeys(): number {
    return this.#tails.size;
  }

  /** Resolves when every accepted unit has settled. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
