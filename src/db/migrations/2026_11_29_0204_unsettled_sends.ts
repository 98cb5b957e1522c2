/**
 * Sends whose outcome is unknown (timeout, reset, lost answer): marked in PostgreSQL as well as in
 * Redis, and cleared in the transaction that records the delivery's outcome. Redis can lose its
 * "unknown" (restarted empty, failed over) and a process its memory (killed); while the mark is
 * here, the next attempt — in any process — looks the record up at the platform before sending.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('unsettled_sends')
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('event_id', 'uuid', (col) => col.notNull())
    .addColumn('marked_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('unsettled_sends_pkey', ['platform', 'event_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('unsettled_sends').execute();
}
