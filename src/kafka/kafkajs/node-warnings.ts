/**
 * kafkajs 2.2.4 (unmaintained since 2023) schedules a timer with a negative delay in
 * `RequestQueue.scheduleCheckPendingRequests` whenever it is not throttled: it computes
 * `throttledUntil - Date.now()`, and `throttledUntil` is -1 until a broker throttles it. Node ≥ 23
 * warns (TimeoutNegativeWarning: "… is a negative number. Timeout duration was set to 1.") on
 * every connection and clamps the delay to 1 ms, which is what kafkajs meant. It happens with plain
 * kafkajs on Node 24 too (upstream kafkajs#1751-style reports; no release fixes it).
 *
 * Fixed at the source: the method is replaced by the same logic with the delay floored at 0.
 * Behaviour is unchanged — Node already ran a negative delay as 1 ms — and a delay computed from a
 * `throttledUntil` in the future (a broker that throttles us) is kept as kafkajs computed it.
 * kafkajs 2.2.4's method, for comparison (src/network/requestQueue/index.js):
 *   let scheduleAt = this.throttledUntil - Date.now()
 *   if (!this.throttleCheckTimeoutId) {
 *     if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL
 *     this.throttleCheckTimeoutId = setTimeout(() => { this.throttleCheckTimeoutId = null; this.checkPendingRequests() }, scheduleAt)
 *   }
 */
import { createRequire } from 'node:module';

interface RequestQueuePrototype {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: readonly unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(this: RequestQueuePrototype): void;
  [PATCHED]?: true;
}

const PATCHED = Symbol.for('impact-in.kafkajs.nonNegativeThrottleTimer');
/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL (not exported). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;
const require = createRequire(import.meta.url);

/** Applies the fix once per process; returns whether kafkajs's RequestQueue is patched. */
export function patchKafkajsNegativeTimeout(): boolean {
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueuePrototype };
  const proto = RequestQueue.prototype;
  if (proto[PATCHED]) return true;
  // A kafkajs whose queue no longer has these has changed its internals: leave it alone (the unit
  // test that asserts the patch then fails and says so).
  if (typeof proto.scheduleCheckPendingRequests !== 'function' || typeof proto.checkPendingRequests !== 'function') return false;
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueuePrototype) {
    if (this.throttleCheckTimeoutId) return;
    const untilThrottleEnds = this.throttledUntil - Date.now();
    const delay = untilThrottleEnds > 0 ? untilThrottleEnds : this.pending.length > 0 ? CHECK_PENDING_REQUESTS_INTERVAL_MS : 0;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
  proto[PATCHED] = true;
  return true;
}
