/** Delivery search (cursor-paged, newest first) and one delivery with its attempt history and earlier generations. */
import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { ImpactDeliveriesTable } from '../db/schema.ts';
import { generationsOf } from '../deliveries/generations.ts';
import type { Platform } from '../domain/platform.ts';
import type { deliveryDetailSchema, deliveryPageSchema, deliverySearchQuery } from './schemas.ts';

const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string | Date).toISOString());
const history = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []);

export async function searchDeliveries(db: Db, query: z.infer<typeof deliverySearchQuery>): Promise<z.input<typeof deliveryPageSchema>> {
  const limit = query.limit ?? 50;
  let q = db
    .selectFrom('impact_deliveries')
    .select(['id', 'event_id', 'platform', 'tenant_id', 'event_kind', 'status', 'attempts', 'generation', 'external_ref', 'last_error_class', 'completed_at'])
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (query.eventId) q = q.where('event_id', '=', query.eventId);
  if (query.tenant) q = q.where('tenant_id', '=', query.tenant);
  if (query.platform) q = q.where('platform', '=', query.platform);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.from) q = q.where('completed_at', '>=', new Date(query.from));
  if (query.to) q = q.where('completed_at', '<', new Date(query.to));
  if (query.cursor) q = q.where('id', '<', query.cursor);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map(summaryOf),
    nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
  };
}

export async function deliveryDetail(db: Db, platform: Platform, eventId: string): Promise<z.input<typeof deliveryDetailSchema> | null> {
  const r = await db.selectFrom('impact_deliveries').selectAll().where('platform', '=', platform).where('event_id', '=', eventId).executeTakeFirst();
  if (!r) return null;
  const generations = await generationsOf(db, platform, eventId);
  return {
    ...summaryOf(r),
    errorReason: r.last_error_reason,
    firstAttemptAt: iso(r.first_attempt_at),
    idempotencyKey: r.idempotency_key,
    replayId: r.replay_id,
    attemptHistory: history(r.attempt_history),
    previousGenerations: generations.map((g) => ({
      generation: g.generation,
      kind: g.kind,
      reason: g.reason,
      requestedBy: g.requested_by,
      requestedAt: iso(g.requested_at)!,
      replayId: g.replay_id,
      status: g.previous_status,
      externalRef: g.previous_external_ref,
      errorClass: g.previous_error_class,
      attemptHistory: history(g.previous_attempt_history),
    })),
  };
}

/** What a search lists of a delivery row; the detail view adds to it. */
type SummaryColumns = 'event_id' | 'platform' | 'tenant_id' | 'event_kind' | 'status' | 'attempts' | 'generation' | 'external_ref' | 'last_error_class' | 'completed_at';
function summaryOf(r: Pick<Selectable<ImpactDeliveriesTable>, SummaryColumns>) {
  return {
    eventId: r.event_id,
    platform: r.platform as Platform,
    tenantId: r.tenant_id,
    kind: r.event_kind,
    status: r.status as 'delivered',
    attempts: r.attempts,
    generation: r.generation,
    externalRef: r.external_ref,
    errorClass: r.last_error_class,
    completedAt: iso(r.completed_at),
  };
}
