/**
 * Works the parking lot of one platform: takes the due deliveries at the head of their ordering
 * keys, hands each to the platform's deliverer exactly as its partition would have (the same
 * rules: PostgreSQL row first, Redis lease, lookup before re-send, one transaction for the final
 * outcome), and removes it from the lot once the deliverer resolved — which it does only when the
 * delivery is final. The next parked event of that key becomes the head only then, so order per
 * (tenant, subject) holds.
 *
 * The deliverer used here is built without a parking lot: a parked delivery retries in place
 * (off its partition, heartbeating the lot's lease) until it is final or its attempts run out. A
 * failure it rejects with (breaker open, PostgreSQL down, stopping) gives the delivery back to
 * the lot for later — never dropped.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorReason, isImpactError } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import type { ParkingLot } from '../deliveries/parking-lot.ts';
import type { MessageHandler } from '../kafka/ports.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface ParkingDrainerOptions {
  readonly platform: Platform;
  readonly lot: ParkingLot;
  /** The platform's deliverer, built without parking. */
  readonly deliver: MessageHandler;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** How often to look for due deliveries when none were found, ms. */
  readonly pollMs: number;
  /** Deliveries (of different ordering keys) worked at once. */
  readonly concurrency: number;
  /** Lease on a delivery, renewed while it is worked, ms. */
  readonly leaseMs: number;
  /** How long a delivery the deliverer gave up on for now waits before it is tried again, ms. */
  readonly postponeMs: number;
}

export interface ParkingDrainer {
  /** Stops taking deliveries, lets the ones in hand finish or go back to the lot. */
  stop(): Promise<void>;
}

export function startParkingDrainer(options: ParkingDrainerOptions): ParkingDrainer {
  const { platform, lot, logger, metrics } = options;
  const owner = `${process.pid}.${randomUUID()}`;
  const stopping = new AbortController();

  async function drainOne(eventId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      await lot.remove(platform, eventId);
      metrics.unparked.inc({ platform });
    } catch (error) {
      const code = isImpactError(error) ? error.code : 'unclassified';
      logger.warn({ platform, eventId, code, err: errorReason(error) }, 'parked delivery not finished; back to the lot');
      // Stopping: straight back to the lot for the next instance; otherwise after a pause.
      const at = new Date(Date.now() + (stopping.signal.aborted ? 0 : options.postponeMs));
      await lot.postpone(platform, eventId, owner, at).catch(() => undefined);
    }
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let found = 0;
      try {
        metrics.parkedNow.set({ platform }, await lot.count(platform));
        const due = await lot.claimDue(platform, owner, options.leaseMs, options.concurrency);
        found = due.length;
        await Promise.all(
          due.map((parked) =>
            drainOne(parked.eventId, () =>
              options.deliver(parked.message, stopping.signal, () =>
                lot.renew(platform, parked.eventId, owner, options.leaseMs).catch(() => undefined),
              ),
            ),
          ),
        );
      } catch (error) {
        // PostgreSQL unreachable: the lot is still there when it comes back.
        logger.warn({ platform, err: errorReason(error) }, 'parking lot unreachable; retrying');
      }
      if (found === 0) await sleep(options.pollMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
