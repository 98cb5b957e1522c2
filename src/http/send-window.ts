/**
 * The send window: a write may leave only while the delivery's lease on its key is sure to
 * outlast it. A deliverer claims a key for `IDEMPOTENCY_LEASE_MS`; when the lease runs out another
 * claimer (the process that took the partition after a kill, a parked delivery drained) looks the
 * record up and, finding nothing, sends it. A write that left late in the lease — after a long
 * wait for a rate-limit token, an OAuth token, a connection — could still be on its way to being
 * applied at that moment, and would be applied twice. So each write carries `sendBy`: the last
 * moment it may leave such that its answer (the request timeout) and a late apply (the settle
 * time, DELIVERY_UNKNOWN_SETTLE_MS) both fit inside the lease. After it, nothing is sent and the
 * delivery claims the key again.
 *
 * The check runs where the request is written, not where it was decided: `sendWindow()` is an
 * undici interceptor whose handler refuses the request in `onRequestStart`, which undici calls
 * synchronously just before it writes the request line to the socket. The same rule applies to a
 * wait for a rate-limit token (src/ratelimit/rate-limiter.ts), so a token is not taken for a send
 * that could not go.
 */
import type { Dispatcher } from 'undici';

/** A request option: the last moment (epoch ms, this process's clock) the request may be written. */
export interface SendWindowOption {
  readonly sendBy?: number;
}

/** Raised in place of a write that would have left after its window; nothing was sent. */
export class SendWindowClosedError extends Error {
  override readonly name = 'SendWindowClosedError';
  readonly code = 'IMPACT_SEND_WINDOW_CLOSED';

  constructor(sendBy: number, now: number) {
    super(`the send window closed ${now - sendBy} ms before the request could leave`);
  }
}

/** The error for a write whose `sendBy` has passed at `now`; undefined while it may still leave. */
export function sendWindowClosed(sendBy: number | undefined, now = Date.now()): SendWindowClosedError | undefined {
  return sendBy !== undefined && now > sendBy ? new SendWindowClosedError(sendBy, now) : undefined;
}

/** Throws SendWindowClosedError when `sendBy` has passed. */
export function assertSendWindowOpen(sendBy: number | undefined, now = Date.now()): void {
  const closed = sendWindowClosed(sendBy, now);
  if (closed) throw closed;
}

/** Request options with the write's `sendBy`, when it has one. */
export function withSendBy<T extends object>(options: T, sendBy: number | undefined): T {
  return sendBy === undefined ? options : { ...options, sendBy };
}

/** The interceptor: requests with a `sendBy` that has passed when their turn to be written comes are not written. */
export function sendWindow(): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    const sendBy = (options as Dispatcher.DispatchOptions & SendWindowOption).sendBy;
    if (sendBy === undefined) return dispatch(options, handler);
    const guarded: Dispatcher.DispatchHandler = {
      onRequestStart(controller, context) {
        const closed = sendWindowClosed(sendBy);
        if (closed) {
          controller.abort(closed);
          return;
        }
        handler.onRequestStart?.(controller, context);
      },
      onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) => handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
      onResponseStarted: () => handler.onResponseStarted?.(),
      onBodySent: (chunk) => handler.onBodySent?.(chunk),
      onRequestSent: () => handler.onRequestSent?.(),
    };
    return dispatch(options, guarded);
  };
}
