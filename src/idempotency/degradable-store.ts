/**
 * Delivery goes on safely while Redis is down. This decorator turns a failing idempotency store
 * into the most careful answer instead of an error:
 *
 * - claim → "claimed, must reconcile": without Redis we cannot know whether an earlier attempt
 *   may have landed, so every send is preceded by the platform lookup (read before re-send).
 *   PostgreSQL's delivery row is still checked first by the deliverer, so nothing recorded as
 *   final is sent again.
 * - release / complete → logged and dropped.
 * - A key released as "unknown" is remembered in this process until it completes, whether Redis
 *   took the release or not, and its next claim must reconcile: a Redis that comes back EMPTY
 *   (restarted without persistence, failed over) has forgotten the "unknown" it was told before
 *   it went down, and a fresh claim there would otherwise send again. Its settle time is
 *   remembered too (this process's clock) and kept to while Redis cannot keep it.
 * - get → null (unknown).
 *
 * `onDegraded(true|false)` reports each change, for the metric and the log.
 *
 * A process that crashes loses these notes; the deliverers also mark such sends in PostgreSQL
 * (`unsettled_sends`, src/deliveries/delivery-repository.ts), which survives both.
 */
import { errorReason } from '../domain/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { ClaimResult, IdempotencyStore } from './idempotency-store.ts';

export interface DegradableStoreOptions {
  readonly logger: Logger;
  readonly onDegraded?: (degraded: boolean) => void;
  /** Most keys remembered as unsettled (oldest forgotten first); default 100 000. */
  readonly maxUnsettled?: number;
  /** While degraded, how often to probe the store so recovery shows without waiting for traffic; default 1 s. */
  readonly probeIntervalMs?: number;
}

export function createDegradableIdempotencyStore(inner: IdempotencyStore, options: DegradableStoreOptions): IdempotencyStore & {
  readonly degraded: boolean;
} {
  /** Keys released as unknown, with when they may be looked up (local clock; 0: at once). */
  const unsettled = new Map<string, number>();
  const maxUnsettled = options.maxUnsettled ?? 100_000;
  let degraded = false;
  let probe: NodeJS.Timeout | undefined;
  const setDegraded = (value: boolean, error?: unknown) => {
    if (value === degraded) return;
    degraded = value;
    if (value) {
      probe = setInterval(() => {
        inner.get('__impact_in_probe__').then(
          () => setDegraded(false),
          () => undefined,
        );
      }, options.probeIntervalMs ?? 1_000);
      probe.unref();
    } else if (probe) {
      clearInterval(probe);
      probe = undefined;
    }
    if (value) options.logger.warn({ err: errorReason(error) }, 'idempotency store unreachable: every send is preceded by a platform lookup');
    else options.logger.info('idempotency store reachable again');
    options.onDegraded?.(value);
  };
  const remember = (key: string, lookAfter: number) => {
    unsettled.delete(key);
    unsettled.set(key, lookAfter);
    if (unsettled.size > maxUnsettled) unsettled.delete(unsettled.keys().next().value!);
  };
  /** While Redis cannot say, a remembered settle time still holds the key. */
  const settling = (key: string): ClaimResult | undefined => {
    const lookAfter = unsettled.get(key) ?? 0;
    return lookAfter > Date.now() ? { claimed: false, record: { state: 'unknown', lookAfter } } : undefined;
  };

  return {
    get degraded() {
      return degraded;
    },
    async get(key) {
      try {
        const record = await inner.get(key);
        setDegraded(false);
        return record;
      } catch (error) {
        setDegraded(true, error);
        return null;
      }
    },
    async claim(key, owner, leaseMs): Promise<ClaimResult> {
      try {
        const result = await inner.claim(key, owner, leaseMs);
        setDegraded(false);
        if (result.claimed && !result.mustReconcile && unsettled.has(key)) return settling(key) ?? { claimed: true, mustReconcile: true };
        return result;
      } catch (error) {
        setDegraded(true, error);
        return settling(key) ?? { claimed: true, mustReconcile: true };
      }
    },
    async release(key, owner, state, settleMs = 0) {
      if (state === 'unknown') remember(key, settleMs > 0 ? Date.now() + settleMs : 0);
      try {
        await inner.release(key, owner, state, settleMs);
        setDegraded(false);
      } catch (error) {
        setDegraded(true, error);
      }
    },
    async complete(key, record) {
      unsettled.delete(key);
      try {
        await inner.complete(key, record);
        setDegraded(false);
      } catch (error) {
        setDegraded(true, error);
      }
    },
  };
}
