/**
 * Tells every impact-in process when a tenant's configuration changes, whoever changed it (the
 * CLI, the demo, a hand-written UPDATE): a trigger on `tenants` and `tenant_platforms` sends
 * `pg_notify('impact_in_tenant_changes', tenant_id)` — delivered when the writing transaction
 * commits, never for one that rolls back — and an empty payload on TRUNCATE (anything may have
 * changed). The processes' caches drop that tenant's entry (src/db/tenant-change-feed.ts).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function impact_in_tenant_changed() returns trigger language plpgsql as $$
    begin
      if tg_op = 'TRUNCATE' then
        perform pg_notify('impact_in_tenant_changes', '');
      else
        perform pg_notify('impact_in_tenant_changes', coalesce(new.tenant_id, old.tenant_id));
      end if;
      return null;
    end
    $$`.execute(db);
  for (const table of ['tenants', 'tenant_platforms']) {
    await sql`create trigger ${sql.raw(`${table}_changed`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function impact_in_tenant_changed()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_truncated`)} after truncate on ${sql.table(table)}
      for each statement execute function impact_in_tenant_changed()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['tenants', 'tenant_platforms']) {
    await sql`drop trigger ${sql.raw(`${table}_changed`)} on ${sql.table(table)}`.execute(db);
    await sql`drop trigger ${sql.raw(`${table}_truncated`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function impact_in_tenant_changed()`.execute(db);
}
