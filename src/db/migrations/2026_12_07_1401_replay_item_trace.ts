/**
 * `replay_items.trace_headers`: the trace context (W3C `traceparent`/`tracestate`) the replayed
 * message carried on the deliver topic, put back on it when the replay produces it again, so the
 * replayed delivery is in the event's trace. Null for items planned before this column existed.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('replay_items').addColumn('trace_headers', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('replay_items').dropColumn('trace_headers').execute();
}
