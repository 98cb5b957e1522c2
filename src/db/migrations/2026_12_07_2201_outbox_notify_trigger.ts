/**
 * Wakes the outbox relay from PostgreSQL itself: a statement-level trigger on `outbox` sends
 * `pg_notify('impact_outbox', '')` for every statement that inserts rows — delivered when the
 * writing transaction commits, never for one that rolls back, and once per transaction (equal
 * notifications of one transaction are folded into one). The writers used to send it as a
 * statement of their own: one round trip more in every delivery transaction (group commit: BEGIN,
 * rows, outbox rows, NOTIFY, COMMIT), done once here instead.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function impact_in_outbox_written() returns trigger language plpgsql as $$
    begin
      perform pg_notify('impact_outbox', '');
      return null;
    end
    $$`.execute(db);
  await sql`create trigger outbox_written after insert on outbox for each statement execute function impact_in_outbox_written()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger outbox_written on outbox`.execute(db);
  await sql`drop function impact_in_outbox_written()`.execute(db);
}
