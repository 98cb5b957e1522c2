/**
 * One circuit breaker per platform (opossum). It opens when `failureThreshold` sends failed
 * within `windowMs` (default 5 in 10 s) — failures being the answers that say the platform is
 * unwell: 5xx, network errors, timeouts and lost responses, malformed answers. A 4xx, a 429 (the
 * platform pacing us), a refusal before sending (pre-send gate, configuration) or a rejection are
 * answers from a working platform and never trip it.
 *
 * While open nothing is sent: `run` fails fast with CIRCUIT_OPEN (not an attempt, never a dead
 * letter), and the deliverer pauses its consumer until `ready()` — after `resetMs` the breaker
 * lets ONE probe through (half-open); its success closes the breaker, its failure re-opens it.
 */
import CircuitBreaker from 'opossum';
import { ImpactError, isImpactError, type ErrorCode } from '../domain/errors.ts';
import { SendWindowClosedError } from '../http/send-window.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  /** Failures within the window that open the breaker. */
  readonly failureThreshold: number;
  readonly windowMs: number;
  /** How long it stays open before a probe. */
  readonly resetMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, windowMs: 10_000, resetMs: 10_000 };

/** The error codes that count as the platform failing. */
export const TRIPPING_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PLATFORM_UNAVAILABLE',
  'NETWORK_ERROR',
  'OUTCOME_UNKNOWN',
  'PLATFORM_BAD_RESPONSE',
]);

export function tripsBreaker(error: unknown): boolean {
  // A write refused by its send window never reached the platform: no verdict on it.
  if (error instanceof SendWindowClosedError) return false;
  // Anything unclassified is treated as the platform failing: safer to pause than to hammer.
  return isImpactError(error) ? TRIPPING_CODES.has(error.code) : true;
}

export interface PlatformBreaker {
  readonly platform: string;
  readonly state: BreakerState;
  /** Runs one send through the breaker; rejects with CIRCUIT_OPEN while open. */
  run<T>(send: () => Promise<T>): Promise<T>;
  /**
   * Resolves at the breaker's next step towards sending: at once if closed; while open, when it
   * half-opens (one caller's send becomes the probe); while half-open, when it closes. Rejects
   * on abort.
   */
  ready(signal?: AbortSignal): Promise<void>;
  onStateChange(listener: (state: BreakerState) => void): void;
  shutdown(): void;
}

export function createPlatformBreaker(platform: string, settings: BreakerSettings = DEFAULT_BREAKER): PlatformBreaker {
  const breaker = new CircuitBreaker((send: () => Promise<unknown>) => send(), {
    name: platform,
    // Requests have their own HTTP timeouts; the breaker must not abandon a send mid-flight.
    timeout: false,
    resetTimeout: settings.resetMs,
    rollingCountTimeout: settings.windowMs,
    rollingCountBuckets: 10,
    // opossum's own percentage trigger is off (it can never exceed 100 %): the count below decides.
    errorThresholdPercentage: 100,
    volumeThreshold: Number.MAX_SAFE_INTEGER,
    errorFilter: (error: unknown) => !tripsBreaker(error),
  });
  const failures: number[] = [];
  breaker.on('failure', () => {
    const now = Date.now();
    failures.push(now);
    while (failures.length > 0 && failures[0]! <= now - settings.windowMs) failures.shift();
    if (breaker.halfOpen || (breaker.closed && failures.length >= settings.failureThreshold)) breaker.open();
  });
  breaker.on('close', () => {
    failures.length = 0;
  });

  const stateOf = (): BreakerState => (breaker.halfOpen ? 'half_open' : breaker.opened ? 'open' : 'closed');
  const listeners: ((state: BreakerState) => void)[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    const state = stateOf();
    for (const listener of listeners) listener(state);
    if (state !== 'open') {
      for (const wake of waiters) wake();
      waiters.clear();
    }
  };
  breaker.on('open', notify);
  breaker.on('halfOpen', notify);
  breaker.on('close', notify);

  return {
    platform,
    get state() {
      return stateOf();
    },
    async run<T>(send: () => Promise<T>): Promise<T> {
      try {
        return (await breaker.fire(send)) as T;
      } catch (error) {
        if ((error as { code?: string }).code === 'EOPENBREAKER') {
          throw new ImpactError('CIRCUIT_OPEN', `${platform} circuit breaker is open; nothing sent`);
        }
        throw error;
      }
    },
    ready(signal) {
      if (stateOf() === 'closed') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          waiters.delete(wake);
          reject(signal!.reason as Error);
        };
        waiters.add(wake);
        signal?.addEventListener('abort', abort, { once: true });
      });
    },
    onStateChange(listener) {
      listeners.push(listener);
    },
    shutdown() {
      breaker.shutdown();
      for (const wake of waiters) wake();
      waiters.clear();
    },
  };
}
