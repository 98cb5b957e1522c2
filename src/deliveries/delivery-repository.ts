/**
 * The delivery record in PostgreSQL: one row per (event, platform). Recording a final outcome
 * writes the row and its outbox messages (the result, and the dead letter when there is one) in
 * ONE transaction: the result is published if and only if the row committed, and the unique
 * (event_id, platform) constraint makes a second recording of the same delivery a no-op.
 */
import type { Db } from '../db/database.ts';
import type { DeliveryResult, DeliveryStatus } from '../domain/delivery-result.ts';
import type { Platform } from '../domain/platform.ts';
import type { OutboundMessage } from '../kafka/ports.ts';
import { writeOutbox } from '../outbox/outbox.ts';

export interface DeliveryRow {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly externalRef: string | null;
}

export class DeliveryRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async find(eventId: string, platform: Platform): Promise<DeliveryRow | null> {
    const row = await this.#db
      .selectFrom('impact_deliveries')
      .select(['status', 'attempts', 'external_ref'])
      .where('event_id', '=', eventId)
      .where('platform', '=', platform)
      .executeTakeFirst();
    return row ? { status: row.status as DeliveryStatus, attempts: row.attempts, externalRef: row.external_ref } : null;
  }

  /**
   * Records the final outcome with its outbox messages. Returns false when the delivery was
   * already recorded (another attempt won), in which case nothing is written.
   */
  async recordFinal(result: DeliveryResult, outbox: (result: DeliveryResult) => OutboundMessage[]): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('impact_deliveries')
        .values({
          event_id: result.eventId,
          platform: result.platform,
          tenant_id: result.tenantId,
          event_kind: result.kind,
          status: result.status,
          attempts: result.attempts,
          last_error_class: result.errorClass,
          last_error_reason: result.errorReason,
          external_ref: result.externalRef,
          idempotency_key: result.idempotencyKey,
          first_attempt_at: result.firstAttemptAt,
          completed_at: result.completedAt,
        })
        .onConflict((oc) => oc.columns(['event_id', 'platform']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false;
      await writeOutbox(tx, outbox(result));
      return true;
    });
  }
}
