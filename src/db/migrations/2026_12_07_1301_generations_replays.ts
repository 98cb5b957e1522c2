/**
 * Generations, replays and the admin audit.
 *
 * - `impact_deliveries.generation`: which generation of a delivery the row records (0 = the first).
 *   A final row is sent again only for a later generation that an operator granted
 *   (`delivery_generations`): a redrive of a dead letter, or an explicit `--force` with a reason.
 *   Each generation has its own idempotency key (src/domain/idempotency-key.ts).
 * - `delivery_generations`: one row per granted generation — who, why, and the row it replaces
 *   (status, external reference, attempt history), so the history of every generation is kept.
 * - `replays` and `replay_items`: a replay run's window, filters and progress, and each event it
 *   puts back on the deliver topic (sent_at set once produced), so a killed run resumes where it was.
 * - `admin_audit`: every mutating call of the admin API and CLI — who, when, what, with what outcome.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('impact_deliveries').addColumn('generation', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('impact_deliveries').addColumn('replay_id', 'uuid').execute();
  // A submission into an asynchronous platform job (Benevity hours) remembers its generation, so
  // the callback or the reconciler records the outcome as that generation (replacing the row of an
  // earlier one) instead of losing it to the earlier row.
  await db.schema.alterTable('delivery_job_records').addColumn('generation', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('delivery_job_records').addColumn('replay_id', 'uuid').execute();
  await db.schema
    .createTable('delivery_generations')
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('event_id', 'uuid', (col) => col.notNull())
    .addColumn('generation', 'integer', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('replay_id', 'uuid')
    .addColumn('requested_by', 'text', (col) => col.notNull())
    .addColumn('requested_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('previous_status', 'text', (col) => col.notNull())
    .addColumn('previous_external_ref', 'text')
    .addColumn('previous_error_class', 'text')
    .addColumn('previous_attempt_history', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addPrimaryKeyConstraint('delivery_generations_pkey', ['platform', 'event_id', 'generation'])
    .execute();
  await db.schema
    .createTable('replays')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('window_from', 'timestamptz', (col) => col.notNull())
    .addColumn('window_to', 'timestamptz', (col) => col.notNull())
    .addColumn('filters', 'jsonb', (col) => col.notNull())
    .addColumn('force', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('reason', 'text')
    .addColumn('requested_by', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('counts', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('replay_items')
    .addColumn('replay_id', 'uuid', (col) => col.notNull().references('replays.id').onDelete('cascade'))
    .addColumn('event_id', 'uuid', (col) => col.notNull())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('verdict', 'text', (col) => col.notNull())
    .addColumn('generation', 'integer', (col) => col.notNull())
    .addColumn('source_partition', 'integer', (col) => col.notNull())
    .addColumn('source_offset', 'text', (col) => col.notNull())
    .addColumn('message_key', 'bytea')
    .addColumn('message_value', 'bytea', (col) => col.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addPrimaryKeyConstraint('replay_items_pkey', ['replay_id', 'event_id'])
    .execute();
  await db.schema
    .createTable('admin_audit')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('params', 'jsonb', (col) => col.notNull())
    .addColumn('outcome', 'jsonb', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('impact_deliveries_search').on('impact_deliveries').columns(['platform', 'completed_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('impact_deliveries_search').execute();
  await db.schema.dropTable('admin_audit').execute();
  await db.schema.dropTable('replay_items').execute();
  await db.schema.dropTable('replays').execute();
  await db.schema.dropTable('delivery_generations').execute();
  await db.schema.alterTable('impact_deliveries').dropColumn('replay_id').execute();
  await db.schema.alterTable('impact_deliveries').dropColumn('generation').execute();
  await db.schema.alterTable('delivery_job_records').dropColumn('replay_id').execute();
  await db.schema.alterTable('delivery_job_records').dropColumn('generation').execute();
}
