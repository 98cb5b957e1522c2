/**
 * A delivery waiting in a platform job keeps the message it came from, so a record the job
 * rejects is dead-lettered like any other — sealed original, reason, source coordinates — and
 * can be inspected and redriven. Nullable: rows submitted before this migration have none.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('delivery_job_records')
    .addColumn('source_topic', 'text')
    .addColumn('source_partition', 'integer')
    .addColumn('source_offset', 'text')
    .addColumn('message_key', 'bytea')
    .addColumn('message_value', 'bytea')
    .addColumn('message_headers', 'jsonb')
    .addColumn('message_timestamp', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('delivery_job_records')
    .dropColumn('source_topic')
    .dropColumn('source_partition')
    .dropColumn('source_offset')
    .dropColumn('message_key')
    .dropColumn('message_value')
    .dropColumn('message_headers')
    .dropColumn('message_timestamp')
    .execute();
}
