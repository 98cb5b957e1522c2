/**
 * The transactional outbox. Rows are written in the same PostgreSQL transaction as the state
 * change they announce (a delivery row), so a result is published if and only if the state
 * change committed. The relay publishes them to Kafka afterwards, at least once.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { OutboundMessage } from '../kafka/ports.ts';
import { outboxHeaders } from '../observability/tracing/outbox-context.ts';

/** Channel the outbox's trigger NOTIFYs on commit so the relay wakes without waiting for its poll. */
export const OUTBOX_CHANNEL = 'impact_outbox';

export async function writeOutbox(tx: Transaction<Database>, messages: readonly OutboundMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx
    .insertInto('outbox')
    .values(
      messages.map((message) => ({
        topic: message.topic,
        message_key: message.key === null ? null : message.key.toString(),
        payload: Buffer.isBuffer(message.value) ? message.value : Buffer.from(message.value, 'utf8'),
        // The trace context rides along, so the result stays in its event's trace.
        headers: JSON.stringify(outboxHeaders(message)),
      })),
    )
    .execute();
  // The relay is woken by the outbox's own trigger (migration 2026_12_07_2201): pg_notify on
  // OUTBOX_CHANNEL, delivered at commit, never for a rolled-back transaction.
}
