/**
 * The audit of operator actions (replays, redrives, every mutating admin API call): who, when,
 * what was asked and what came of it, in PostgreSQL. Parameters are ids, windows, filters and
 * counts — never a payload, a credential or a token.
 */
import type { Db } from '../db/database.ts';

export async function audit(db: Db, actor: string, action: string, params: Record<string, unknown>, outcome: Record<string, unknown>): Promise<void> {
  await db
    .insertInto('admin_audit')
    .values({ actor, action, params: JSON.stringify(params), outcome: JSON.stringify(outcome) })
    .execute();
}

export async function recentAudit(db: Db, limit = 100) {
  return db.selectFrom('admin_audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
}
