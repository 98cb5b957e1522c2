/**
 * The parking lot: deliveries taken off their partition so a long back-off does not hold up the
 * events behind them (PostgreSQL, `parked_deliveries`).
 *
 * Order per (tenant, subject) holds because (1) while any event of an ordering key is parked,
 * every later event of that key is parked behind it instead of being delivered — one partition
 * owner parks a key's events, in offset order, so `seq` is their order — and (2) the drainer only
 * ever takes the head (lowest `seq`) of a key, and removes it only once it is final. A row is
 * leased to one drainer at a time (`locked_until`), renewed while it works, so several instances
 * can drain without two working the same key.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Platform } from '../domain/platform.ts';
import type { InboundMessage } from '../kafka/ports.ts';
import { parseAttemptHistory, type AttemptRecord } from './attempt-log.ts';
import { storedMessage, storedMessageColumns } from './stored-message.ts';

/** Where a delivery stands with respect to the lot (read with the delivery's state: DeliveryRepository.state). */
export type ParkedState = 'self' | 'behind' | null;

export interface ParkEntry {
  readonly platform: Platform;
  readonly eventId: string;
  readonly orderingKey: string;
  readonly tenantId: string;
  readonly message: InboundMessage;
  /** The requests already made for it (their count is the result's `attempts`). */
  readonly history: readonly AttemptRecord[];
  /** Retries already counted against DELIVERY_MAX_ATTEMPTS. */
  readonly retries: number;
  /** Why it was parked: the last error code, or BEHIND_PARKED. */
  readonly reason: string;
  readonly nextAttemptAt: Date;
}

export interface ParkedDelivery {
  readonly eventId: string;
  readonly orderingKey: string;
  readonly message: InboundMessage;
  readonly retries: number;
  readonly reason: string;
}

/** Headers the drainer adds to a parked message so the deliverer carries its history and retries on. */
export const PARKED_HISTORY_HEADER = 'impact-in-parked-history';
export const PARKED_RETRIES_HEADER = 'impact-in-parked-retries';

/** What a drained message carries (nothing for a message straight from its partition). */
export function parkedCarry(message: InboundMessage): { history: AttemptRecord[]; retries: number } {
  const retries = Number(message.headers[PARKED_RETRIES_HEADER] ?? 0);
  return {
    history: message.headers[PARKED_HISTORY_HEADER] === undefined ? [] : parseAttemptHistory(message.headers[PARKED_HISTORY_HEADER]),
    retries: Number.isSafeInteger(retries) && retries >= 0 ? retries : 0,
  };
}

export class ParkingLot {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Parks deliveries, in the order given, in one transaction. A delivery parked already stays as it is. */
  async park(entries: readonly ParkEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      // One statement per row keeps `seq` in the order given.
      for (const entry of entries) {
        await trx
          .insertInto('parked_deliveries')
          .values({
            platform: entry.platform,
            event_id: entry.eventId,
            ordering_key: entry.orderingKey,
            tenant_id: entry.tenantId,
            ...storedMessageColumns(entry.message),
            attempts: entry.history.length,
            attempt_history: JSON.stringify(entry.history),
            retries: entry.retries,
            reason: entry.reason,
            next_attempt_at: entry.nextAttemptAt,
          })
          .onConflict((oc) => oc.columns(['platform', 'event_id']).doNothing())
          .execute();
      }
    });
  }

  /**
   * Leases up to `limit` deliveries that are due and at the head of their ordering key to
   * `owner` for `leaseMs`, skipping rows another drainer holds.
   */
  async claimDue(platform: Platform, owner: string, leaseMs: number, limit: number): Promise<ParkedDelivery[]> {
    const { rows } = await sql<{
      event_id: string;
      ordering_key: string;
      source_topic: string;
      source_partition: number;
      source_offset: string;
      message_key: Buffer | null;
      message_value: Buffer;
      message_headers: Record<string, string>;
      message_timestamp: string;
      attempt_history: unknown;
      retries: number;
      reason: string;
    }>`
      update parked_deliveries p
      set locked_by = ${owner}, locked_until = now() + ${leaseMs} * interval '1 millisecond'
      where (p.platform, p.event_id) in (
        select h.platform, h.event_id from parked_deliveries h
        where h.platform = ${platform}
          and h.next_attempt_at <= now()
          and (h.locked_until is null or h.locked_until < now())
          and not exists (
            select 1 from parked_deliveries e
            where e.platform = h.platform and e.ordering_key = h.ordering_key and e.seq < h.seq
          )
        order by h.seq
        limit ${limit}
        for update skip locked
      )
      returning p.event_id, p.ordering_key, p.source_topic, p.source_partition, p.source_offset, p.message_key,
        p.message_value, p.message_headers, p.message_timestamp, p.attempt_history, p.retries, p.reason
    `.execute(this.#db);
    return rows.map((row) => {
      const message = storedMessage(row)!;
      return {
        eventId: row.event_id,
        orderingKey: row.ordering_key,
        retries: row.retries,
        reason: row.reason,
        message: {
          ...message,
          headers: {
            ...message.headers,
            [PARKED_HISTORY_HEADER]: JSON.stringify(parseAttemptHistory(row.attempt_history)),
            [PARKED_RETRIES_HEADER]: String(row.retries),
          },
        },
      };
    });
  }

  /** Extends the lease while the drainer works on a delivery. */
  async renew(platform: Platform, eventId: string, owner: string, leaseMs: number): Promise<void> {
    await this.#db
      .updateTable('parked_deliveries')
      .set({ locked_until: sql`now() + ${leaseMs} * interval '1 millisecond'` })
      .where('platform', '=', platform)
      .where('event_id', '=', eventId)
      .where('locked_by', '=', owner)
      .execute();
  }

  /** Gives a delivery back to the lot, to be tried again from `nextAttemptAt`. */
  async postpone(platform: Platform, eventId: string, owner: string, nextAttemptAt: Date): Promise<void> {
    await this.#db
      .updateTable('parked_deliveries')
      .set({ next_attempt_at: nextAttemptAt, locked_by: null, locked_until: null })
      .where('platform', '=', platform)
      .where('event_id', '=', eventId)
      .where('locked_by', '=', owner)
      .execute();
  }

  /** Removes a delivery that is final (its row and result are committed): the next of its key may go. */
  async remove(platform: Platform, eventId: string): Promise<void> {
    await this.#db.deleteFrom('parked_deliveries').where('platform', '=', platform).where('event_id', '=', eventId).execute();
  }

  /** How many deliveries of a platform are parked (for the gauge). */
  async count(platform: Platform): Promise<number> {
    const row = await this.#db
      .selectFrom('parked_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('platform', '=', platform)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
