/**
 * The attempt history of a delivery (src/deliveries/attempt-log.ts): on the final row, and on the
 * two places a delivery waits before it is final — a parked delivery and a record in a platform job.
 */
import { sql, type Kysely } from 'kysely';

const TABLES = ['impact_deliveries', 'delivery_job_records', 'parked_deliveries'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) {
    await db.schema
      .alterTable(table)
      .addColumn('attempt_history', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await db.schema.alterTable(table).dropColumn('attempt_history').execute();
}
