/**
 * Parked deliveries: an event whose retries would hold its partition longer than the parking
 * bound leaves the partition for this table, and so does every later event of the same
 * (tenant, subject) while one is parked — the drainer works each ordering key's parked events in
 * `seq` order. The original message is kept as it was read (already redacted), so the drainer
 * hands the deliverer exactly what the partition would have.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('parked_deliveries')
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('event_id', 'uuid', (col) => col.notNull())
    // Order of parking within an ordering key (one partition owner parks a key's events in offset order).
    .addColumn('seq', 'bigint', (col) => col.notNull().generatedAlwaysAsIdentity())
    .addColumn('ordering_key', 'text', (col) => col.notNull())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('source_topic', 'text', (col) => col.notNull())
    .addColumn('source_partition', 'integer', (col) => col.notNull())
    .addColumn('source_offset', 'text', (col) => col.notNull())
    .addColumn('message_key', 'bytea')
    .addColumn('message_value', 'bytea', (col) => col.notNull())
    .addColumn('message_headers', 'jsonb', (col) => col.notNull())
    .addColumn('message_timestamp', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull())
    .addColumn('retries', 'integer', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('parked_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('next_attempt_at', 'timestamptz', (col) => col.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addPrimaryKeyConstraint('parked_deliveries_pkey', ['platform', 'event_id'])
    .execute();
  // "Is an earlier event of this key parked?" on every delivery, and the drainer's head-of-key test.
  await db.schema.createIndex('parked_deliveries_key_seq_idx').on('parked_deliveries').columns(['platform', 'ordering_key', 'seq']).execute();
  await db.schema.createIndex('parked_deliveries_due_idx').on('parked_deliveries').columns(['platform', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('parked_deliveries').execute();
}
