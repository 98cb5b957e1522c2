/**
 * A batch connector (Goodera: ≤ 100 records of one tenant per request) seen as a single-record
 * connector, so a batching platform runs on the same delivery engine as the others: the
 * key-ordered consumer hands the deliverer many records at once, each unit calls `deliver` for
 * its own record, and the calls of one tenant waiting at the same time go out together.
 *
 * When a tenant's records go (Nagle's rule, as in group commit): with none of its requests in
 * flight, what is waiting goes at the end of this turn of the event loop — a record alone is not
 * held back by a timer; while requests are in flight, records wait for one to answer and then go
 * together, up to `maxBatch`; a full batch goes at once as long as fewer than
 * `maxRequestsInFlight` of the tenant's requests are out. So under a backlog requests fill (the
 * deliverer's in-flight bound decides how many records wait), and at a trickle each record goes
 * at once. A connector with `ready` (Goodera: the key's rate-limit token) is asked for the
 * request's turn first, and the request is filled when the turn comes: the records that arrive
 * while a rate-limited key waits for its next request go in that request. A tenant's records are grouped by its credentials too: a rotated key never shares a
 * request with the old one. A record whose send window (src/http/send-window.ts) closed while it
 * waited is left out of the request and handed back unsent.
 *
 * Each caller gets its own record's answer: a final outcome resolves; the ImpactError that kept
 * the record from being sent (the pre-send gate) rejects that caller alone; a failure of the
 * whole request (429, 5xx, network, an answer outside the contract) rejects every caller in it
 * with that error — OUTCOME_UNKNOWN when the records may exist — and each record's unit deals
 * with it as with a single send. Lookups and the connector's other capabilities pass through.
 */
import { sendWindowClosed } from '../http/send-window.ts';
import type { BatchConnector, Connector, DeliveryOutcome, DeliveryRequest } from './connector.ts';

export interface BatchingOptions {
  /**
   * A tenant's requests out at once at most; a full batch waits while this many are. Default 2:
   * one answering while the next is sent. More would only hold records in the rate limiter's
   * queue (a key's requests are paced one after another) that could otherwise fill the next request.
   */
  readonly maxRequestsInFlight?: number;
  /** Told each request's size, for metrics. */
  readonly onBatch?: (records: number) => void;
}

interface Waiting {
  readonly request: DeliveryRequest;
  readonly resolve: (outcome: DeliveryOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface Lane {
  queue: Waiting[];
  /** Requests out, those waiting for their turn (`ready`) included. */
  inFlight: number;
  /** Requests waiting for their turn: each takes up to maxBatch records when it comes. */
  awaitingTurn: number;
  flushScheduled: boolean;
}

/** The single-record face of a batch connector; `deliverBatch` stays for callers that batch themselves. */
export function batching<C extends BatchConnector>(connector: C, options: BatchingOptions = {}): C {
  const maxRequestsInFlight = options.maxRequestsInFlight ?? 2;
  if (!Number.isInteger(maxRequestsInFlight) || maxRequestsInFlight < 1) throw new RangeError('maxRequestsInFlight must be an integer ≥ 1');
  const max = connector.maxBatch;
  const lanes = new Map<string, Lane>();
  // Credentials objects come from the tenant directory's cache, a new object each time it is
  // refreshed: each object's content is serialised once, so equal credentials share a lane across
  // refreshes and a rotated key gets its own.
  const credentialIds = new WeakMap<object, string>();
  const laneOf = (request: DeliveryRequest): string => {
    let id = credentialIds.get(request.credentials);
    if (id === undefined) {
      id = JSON.stringify(request.credentials);
      credentialIds.set(request.credentials, id);
    }
    return `${request.event.tenantId}\u0000${id}`;
  };

  const flush = (name: string, lane: Lane): void => {
    lane.flushScheduled = false;
    while (lane.inFlight < maxRequestsInFlight) {
      // Records not yet promised to a request waiting for its turn (each takes up to `max`).
      const unclaimed = lane.queue.length - lane.awaitingTurn * max;
      if (unclaimed <= 0) break;
      // Partial batches go only while nothing of the tenant is out; full ones up to the bound.
      if (lane.inFlight > 0 && unclaimed < max) break;
      start(name, lane);
    }
    // A flush scheduled before the lane emptied may run after a new lane took its name.
    if (lane.queue.length === 0 && lane.inFlight === 0 && lanes.get(name) === lane) lanes.delete(name);
  };

  /** A request of the lane: filled at once, or — with `ready` — when its turn comes. */
  const start = (name: string, lane: Lane): void => {
    lane.inFlight++;
    if (!connector.ready) {
      send(name, lane, lane.queue.splice(0, max));
      return;
    }
    lane.awaitingTurn++;
    connector.ready(lane.queue[0]!.request).then(
      () => {
        lane.awaitingTurn--;
        // What waits now — records that arrived during the wait included — goes in this request.
        const batch = lane.queue.splice(0, max);
        if (batch.length > 0) send(name, lane, batch);
        else done(name, lane);
      },
      (error: unknown) => {
        lane.awaitingTurn--;
        for (const waiting of lane.queue.splice(0, max)) waiting.reject(error);
        done(name, lane);
      },
    );
  };

  const done = (name: string, lane: Lane): void => {
    lane.inFlight--;
    flush(name, lane);
  };

  const send = (name: string, lane: Lane, waiting: Waiting[]): void => {
    // A record whose send window closed while it waited is handed back unsent (its unit claims
    // its key again); it does not hold the others back.
    const now = Date.now();
    const batch = waiting.filter(({ request, reject }) => {
      const closed = sendWindowClosed(request.sendBy, now);
      if (closed) reject(closed);
      return !closed;
    });
    if (batch.length === 0) {
      done(name, lane);
      return;
    }
    options.onBatch?.(batch.length);
    connector
      .deliverBatch(batch.map((waiting) => waiting.request))
      .then(
        (outcomes) => {
          batch.forEach((waiting, index) => {
            const outcome = outcomes[index];
            if (outcome === undefined) waiting.reject(new Error(`the batch answered ${outcomes.length} of ${batch.length} records`));
            else if (outcome instanceof Error) waiting.reject(outcome);
            else waiting.resolve(outcome);
          });
        },
        (error: unknown) => {
          for (const waiting of batch) waiting.reject(error);
        },
      )
      .finally(() => done(name, lane));
  };

  const wrapped: Connector & Pick<BatchConnector, 'deliverBatch' | 'maxBatch'> = {
    ...connector,
    platform: connector.platform,
    maxBatch: max,
    lookup: (request) => connector.lookup(request),
    deliverBatch: (requests) => connector.deliverBatch(requests),
    deliver(request) {
      return new Promise<DeliveryOutcome>((resolve, reject) => {
        const name = laneOf(request);
        let lane = lanes.get(name);
        if (!lane) {
          lane = { queue: [], inFlight: 0, awaitingTurn: 0, flushScheduled: false };
          lanes.set(name, lane);
        }
        lane.queue.push({ request, resolve, reject });
        if (lane.queue.length - lane.awaitingTurn * max >= max && lane.inFlight < maxRequestsInFlight) flush(name, lane);
        else if (!lane.flushScheduled && lane.inFlight === 0) {
          // The calls made in this turn of the event loop (a burst of units) join this request.
          lane.flushScheduled = true;
          const scheduled = lane;
          setImmediate(() => flush(name, scheduled));
        }
      });
    },
  };
  return wrapped as C;
}
