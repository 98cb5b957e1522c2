/**
 * Asynchronous deliveries (Benevity's volunteer-hours bulk import): the platform's job, the
 * deliveries it carries while they wait for their outcome, and the callback signatures already
 * accepted (replay protection). A delivery becomes a row of impact_deliveries only when final.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('delivery_jobs')
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('job_id', 'text', (col) => col.notNull())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('record_count', 'integer', (col) => col.notNull())
    .addColumn('submitted_at', 'timestamptz', (col) => col.notNull())
    .addColumn('next_poll_at', 'timestamptz', (col) => col.notNull())
    .addColumn('poll_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('completed_via', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('delivery_jobs_pkey', ['platform', 'job_id'])
    .addCheckConstraint('delivery_jobs_status_check', sql`status in ('submitted', 'completed')`)
    .addCheckConstraint('delivery_jobs_completed_via_check', sql`completed_via is null or completed_via in ('callback', 'poll')`)
    .execute();
  // The reconciler's query: open jobs whose callback is overdue.
  await sql`create index delivery_jobs_open_next_poll_idx on delivery_jobs (next_poll_at) where status = 'submitted'`.execute(db);

  await db.schema
    .createTable('delivery_job_records')
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('job_id', 'text', (col) => col.notNull())
    .addColumn('record_index', 'integer', (col) => col.notNull())
    .addColumn('event_id', 'uuid', (col) => col.notNull())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('event_kind', 'text', (col) => col.notNull())
    .addColumn('idempotency_key', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull())
    .addColumn('first_attempt_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('delivery_job_records_pkey', ['platform', 'job_id', 'record_index'])
    .addForeignKeyConstraint('delivery_job_records_job_fkey', ['platform', 'job_id'], 'delivery_jobs', ['platform', 'job_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  // The deliverer's "already dealt with?" check looks a pending submission up by event.
  await db.schema
    .createIndex('delivery_job_records_event_platform_idx')
    .on('delivery_job_records')
    .columns(['event_id', 'platform'])
    .execute();

  await db.schema
    .createTable('callback_receipts')
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('signature_hash', 'text', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('callback_receipts_pkey', ['platform', 'signature_hash'])
    .execute();
  await db.schema.createIndex('callback_receipts_received_at_idx').on('callback_receipts').column('received_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('callback_receipts').execute();
  await db.schema.dropTable('delivery_job_records').execute();
  await db.schema.dropTable('delivery_jobs').execute();
}
