/** Initial schema: deliveries, outbox, provider tokens, tenant configuration. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('impact_deliveries')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('event_id', 'uuid', (col) => col.notNull())
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('event_kind', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_error_class', 'text')
    .addColumn('last_error_reason', 'text')
    .addColumn('external_ref', 'text')
    .addColumn('idempotency_key', 'text', (col) => col.notNull())
    .addColumn('first_attempt_at', 'timestamptz', (col) => col.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('impact_deliveries_event_platform_key', ['event_id', 'platform'])
    .addCheckConstraint(
      'impact_deliveries_status_check',
      sql`status in ('delivered', 'rejected', 'dead_lettered')`,
    )
    .execute();
  await db.schema
    .createIndex('impact_deliveries_tenant_platform_created_idx')
    .on('impact_deliveries')
    .columns(['platform', 'tenant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('topic', 'text', (col) => col.notNull())
    .addColumn('message_key', 'text')
    .addColumn('payload', 'bytea', (col) => col.notNull())
    .addColumn('headers', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .execute();
  // The relay scans only unpublished rows; a partial index keeps that scan small forever.
  await sql`create index outbox_unpublished_idx on outbox (id) where published_at is null`.execute(db);

  await db.schema
    .createTable('impact_provider_tokens')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'text', (col) => col.notNull())
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('access_token_ciphertext', 'bytea', (col) => col.notNull())
    .addColumn('refresh_token_ciphertext', 'bytea')
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('token_type', 'text', (col) => col.notNull().defaultTo('Bearer'))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('impact_provider_tokens_company_provider_key', ['company_id', 'provider'])
    .execute();
  await db.schema
    .createIndex('impact_provider_tokens_expires_at_idx')
    .on('impact_provider_tokens')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('tenants')
    .addColumn('tenant_id', 'text', (col) => col.primaryKey())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('tenant_platforms')
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.tenant_id').onDelete('cascade'))
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('enabled', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('credentials_ciphertext', 'bytea', (col) => col.notNull())
    .addColumn('credentials_key_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tenant_platforms_pkey', ['tenant_id', 'platform'])
    .addCheckConstraint('tenant_platforms_platform_check', sql`platform in ('benevity', 'goodera', 'workday')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tenant_platforms').execute();
  await db.schema.dropTable('tenants').execute();
  await db.schema.dropTable('impact_provider_tokens').execute();
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropTable('impact_deliveries').execute();
}
