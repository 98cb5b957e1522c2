/** Redaction: the per-event audit (counts only, never values) and each tenant's policy tightening. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('redaction_audit')
    .addColumn('event_id', 'uuid', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('event_kind', 'text', (col) => col.notNull())
    .addColumn('policy_version', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('counts', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('redaction_audit_tenant_created_idx')
    .on('redaction_audit')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema
    .alterTable('tenants')
    .addColumn('policy', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenants').dropColumn('policy').execute();
  await db.schema.dropTable('redaction_audit').execute();
}
