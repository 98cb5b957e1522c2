/**
 * Granting a later generation of a final delivery: the one way a delivery recorded in
 * impact_deliveries is sent again (see DeliveryRepository.state). A grant records who asked, why,
 * and a copy of the row it supersedes (status, reference, error, attempt history), so the history
 * of every generation stays readable after the new outcome replaces the row.
 *
 * - `redrive`: only for a row that is `dead_lettered` or `rejected` (its cause since fixed). A
 *   row delivered meanwhile is left alone — and the deliverer re-checks that when the message comes.
 * - `force`: any final row, with a reason (a replay's `--force`).
 *
 * Granting is idempotent per superseded row: asking twice before the first grant was delivered
 * returns the same pending generation, so a repeated redrive still sends once.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Platform } from '../domain/platform.ts';

export const GRANT_KINDS = ['redrive', 'force'] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

export interface GrantRequest {
  readonly platform: Platform;
  readonly eventIds: readonly string[];
  readonly kind: GrantKind;
  readonly reason: string;
  readonly requestedBy: string;
  readonly replayId?: string | null;
}

/** What a grant gave each event: the generation to send, or why none. */
export type Grant =
  | { readonly eventId: string; readonly granted: true; readonly generation: number }
  | { readonly eventId: string; readonly granted: false; readonly why: 'no_final_row' | 'delivered' };

export async function grantGenerations(db: Db, request: GrantRequest): Promise<Grant[]> {
  if (request.eventIds.length === 0) return [];
  const statuses = request.kind === 'redrive' ? ['dead_lettered', 'rejected'] : ['delivered', 'dead_lettered', 'rejected'];
  return db.transaction().execute(async (tx) => {
    // The next generation of each row that may be granted one; a pending grant (not yet recorded
    // as the row's generation) is reused rather than stacked.
    await sql`
      insert into delivery_generations
        (platform, event_id, generation, kind, reason, replay_id, requested_by,
         previous_status, previous_external_ref, previous_error_class, previous_attempt_history)
      select d.platform, d.event_id, d.generation + 1, ${request.kind}, ${request.reason}, ${request.replayId ?? null},
             ${request.requestedBy}, d.status, d.external_ref, d.last_error_class, d.attempt_history
        from impact_deliveries d
       where d.platform = ${request.platform}
         and d.event_id = any(${sql.val(request.eventIds)}::uuid[])
         and d.status = any(${sql.val(statuses)}::text[])
      on conflict (platform, event_id, generation) do nothing
    `.execute(tx);
    const { rows } = await sql<{ event_id: string; status: string | null; generation: number | null; granted: number | null }>`
      select e.id as event_id, d.status, d.generation, g.generation as granted
        from unnest(${sql.val(request.eventIds)}::uuid[]) as e(id)
        left join impact_deliveries d on d.event_id = e.id and d.platform = ${request.platform}
        left join delivery_generations g on g.event_id = e.id and g.platform = ${request.platform} and g.generation = d.generation + 1
    `.execute(tx);
    return rows.map((row): Grant => {
      if (row.status === null) return { eventId: row.event_id, granted: false, why: 'no_final_row' };
      if (row.granted === null) return { eventId: row.event_id, granted: false, why: 'delivered' };
      return { eventId: row.event_id, granted: true, generation: row.granted };
    });
  });
}

/** The earlier generations of one delivery, oldest first (the row holds the latest). */
export async function generationsOf(db: Db, platform: Platform, eventId: string) {
  return db
    .selectFrom('delivery_generations')
    .selectAll()
    .where('platform', '=', platform)
    .where('event_id', '=', eventId)
    .orderBy('generation')
    .execute();
}
