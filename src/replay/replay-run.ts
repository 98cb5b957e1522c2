/**
 * Running a replay: exactly the plan's `send` and `resend` items, each put back once on the
 * platform's deliver topic, where the live deliverers (the same consumer group that delivers new
 * events) deliver them. Nothing here sends to a platform: the "should this be sent?" decision
 * stays in the deliverer's PostgreSQL check (DeliveryRepository.state), which a replayed message
 * passes only when its delivery has no final row — or, for `resend`, when this replay was granted
 * a new generation of it (`force`, with the reason recorded in delivery_generations).
 *
 * State lives in PostgreSQL: the replay (`replays`: who, when, window, filters, counts, status)
 * and each item (`replay_items`, with the message as read, `sent_at` set once the broker
 * acknowledged it). A run stopped — or killed — resumes with the items not yet marked sent. An item
 * produced but not yet marked when the process died is produced again on resume; the deliverer
 * then finds its delivery final (or its generation recorded) and sends nothing.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { grantGenerations } from '../deliveries/generations.ts';
import { redeliveryHeaders } from '../deliveries/redelivery.ts';
import type { MessageSink } from '../kafka/ports.ts';
import { TRACE_HEADERS } from '../observability/tracing/propagation.ts';
import { audit } from '../audit/audit.ts';
import type { Plan, WindowEvent } from './replay-plan.ts';

export const REPLAY_STATUSES = ['running', 'stopped', 'completed'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

export interface ReplaySummary {
  readonly id: string;
  readonly platform: string;
  readonly from: string;
  readonly to: string;
  readonly filters: Record<string, unknown>;
  readonly force: boolean;
  readonly reason: string | null;
  readonly requestedBy: string;
  readonly status: ReplayStatus;
  readonly counts: Record<string, number>;
  readonly total: number;
  readonly sent: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface CreateReplayOptions {
  readonly actor: string;
  readonly reason?: string | null;
  readonly id?: string;
}

/** Records a replay and its items (granting `resend` items their new generation). Returns its id. */
export async function createReplay(db: Db, plan: Plan, window: readonly WindowEvent[], options: CreateReplayOptions): Promise<string> {
  const id = options.id ?? randomUUID();
  const toSend = plan.items.filter((item) => item.action !== 'none');
  if (toSend.some((item) => item.action === 'resend') && !options.reason) {
    throw new Error('a replay that re-sends delivered records (--force) needs a reason');
  }
  const messages = new Map(window.map((w) => [w.event.eventId, w.message]));
  const { filters } = plan;
  await db
    .insertInto('replays')
    .values({
      id,
      platform: filters.platform,
      window_from: filters.from,
      window_to: filters.to,
      filters: JSON.stringify({ tenants: filters.tenants ?? [], eventIds: filters.eventIds ?? [], verify: plan.verified }),
      force: plan.force,
      reason: options.reason ?? null,
      requested_by: options.actor,
      status: 'running',
      counts: JSON.stringify({ ...plan.summary.verdicts, send: plan.summary.actions.send, resend: plan.summary.actions.resend }),
    })
    .execute();
  const resend = toSend.filter((item) => item.action === 'resend').map((item) => item.eventId);
  const grants = await grantGenerations(db, {
    platform: filters.platform,
    eventIds: resend,
    kind: 'force',
    reason: options.reason ?? '',
    requestedBy: options.actor,
    replayId: id,
  });
  const generationOf = new Map(grants.flatMap((g) => (g.granted ? [[g.eventId, g.generation] as const] : [])));
  const rows = toSend.flatMap((item) => {
    const message = messages.get(item.eventId);
    if (!message?.value) return [];
    // A resend whose grant did not happen (the row changed since the plan) is left out.
    if (item.action === 'resend' && !generationOf.has(item.eventId)) return [];
    return [
      {
        replay_id: id,
        event_id: item.eventId,
        tenant_id: item.tenantId,
        verdict: item.verdict,
        generation: item.action === 'resend' ? generationOf.get(item.eventId)! : 0,
        source_partition: item.partition,
        source_offset: item.offset,
        message_key: message.key,
        message_value: message.value,
        trace_headers: traceHeadersOf(message.headers),
      },
    ];
  });
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('replay_items').values(rows.slice(i, i + 500)).execute();
  await audit(db, options.actor, 'replay.run', { replayId: id, platform: filters.platform, from: filters.from, to: filters.to, tenants: filters.tenants ?? [], eventIds: filters.eventIds ?? [], force: plan.force, reason: options.reason ?? null }, { items: rows.length, ...plan.summary.actions });
  return id;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly batchSize?: number;
  /** At most this many messages a second onto the deliver topic (so a big replay leaves room for live traffic); unlimited when absent. */
  readonly ratePerSecond?: number;
  readonly onProgress?: (progress: { sent: number; total: number }) => void;
}

/** The trace context among a message's headers (JSON for the row), or null when it carries none. */
function traceHeadersOf(headers: Readonly<Record<string, string>>): string | null {
  const trace = Object.fromEntries(TRACE_HEADERS.flatMap((name) => (headers[name] === undefined ? [] : [[name, headers[name]]])));
  return Object.keys(trace).length === 0 ? null : JSON.stringify(trace);
}

/** Produces a replay's unsent items onto `topic`, in source order; resumable. Returns its summary. */
export async function runReplay(db: Db, sink: MessageSink, topic: string, replayId: string, options: RunOptions = {}): Promise<ReplaySummary> {
  const rate = options.ratePerSecond;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 500, rate ? Math.ceil(rate / 10) : Infinity));
  const started = Date.now();
  let produced = 0;
  await db.updateTable('replays').set({ status: 'running', updated_at: sql`now()` }).where('id', '=', replayId).where('status', '!=', 'completed').execute();
  for (;;) {
    if (options.signal?.aborted) {
      await db.updateTable('replays').set({ status: 'stopped', updated_at: sql`now()` }).where('id', '=', replayId).execute();
      break;
    }
    const batch = await db
      .selectFrom('replay_items')
      .select(['event_id', 'generation', 'message_key', 'message_value', 'trace_headers'])
      .where('replay_id', '=', replayId)
      .where('sent_at', 'is', null)
      .orderBy('source_partition')
      .orderBy(sql`source_offset::numeric`)
      .limit(batchSize)
      .execute();
    if (batch.length === 0) {
      await db
        .updateTable('replays')
        .set({ status: 'completed', finished_at: sql`now()`, updated_at: sql`now()` })
        .where('id', '=', replayId)
        .execute();
      break;
    }
    await sink.send(
      batch.map((item) => ({
        topic,
        key: item.message_key,
        value: item.message_value,
        // Back with the trace context it carried: the replayed delivery is in the event's trace.
        headers: { ...item.trace_headers, ...redeliveryHeaders({ generation: item.generation, replayId }) },
      })),
    );
    await db
      .updateTable('replay_items')
      .set({ sent_at: sql`now()` })
      .where('replay_id', '=', replayId)
      .where(
        'event_id',
        'in',
        batch.map((item) => item.event_id),
      )
      .execute();
    const progress = await replayProgress(db, replayId);
    options.onProgress?.(progress);
    produced += batch.length;
    if (rate) {
      const due = started + (produced / rate) * 1000 - Date.now();
      if (due > 0) await sleep(due, undefined, { signal: options.signal }).catch(() => undefined);
    }
  }
  const summary = await getReplay(db, replayId);
  if (!summary) throw new Error(`replay ${replayId} does not exist`);
  return summary;
}

export async function replayProgress(db: Db, replayId: string): Promise<{ sent: number; total: number }> {
  const row = await db
    .selectFrom('replay_items')
    .select((eb) => [eb.fn.countAll<string>().as('total'), eb.fn.count<string>('sent_at').as('sent')])
    .where('replay_id', '=', replayId)
    .executeTakeFirstOrThrow();
  return { sent: Number(row.sent), total: Number(row.total) };
}

type ReplayRow = {
  id: string;
  platform: string;
  window_from: Date;
  window_to: Date;
  filters: Record<string, unknown>;
  force: boolean;
  reason: string | null;
  requested_by: string;
  status: string;
  counts: Record<string, number>;
  created_at: Date;
  finished_at: Date | null;
  total: string;
  sent: string;
};

function summaryOf(row: ReplayRow): ReplaySummary {
  return {
    id: row.id,
    platform: row.platform,
    from: new Date(row.window_from).toISOString(),
    to: new Date(row.window_to).toISOString(),
    filters: row.filters,
    force: row.force,
    reason: row.reason,
    requestedBy: row.requested_by,
    status: row.status as ReplayStatus,
    counts: row.counts,
    total: Number(row.total),
    sent: Number(row.sent),
    createdAt: new Date(row.created_at).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

const SUMMARY = sql`
  select r.*, (select count(*) from replay_items i where i.replay_id = r.id) as total,
         (select count(sent_at) from replay_items i where i.replay_id = r.id) as sent
    from replays r`;

export async function getReplay(db: Db, id: string): Promise<ReplaySummary | null> {
  const { rows } = await sql<ReplayRow>`${SUMMARY} where r.id = ${id}`.execute(db);
  return rows[0] ? summaryOf(rows[0]) : null;
}

export async function listReplays(db: Db, limit = 50): Promise<ReplaySummary[]> {
  const { rows } = await sql<ReplayRow>`${SUMMARY} order by r.created_at desc limit ${limit}`.execute(db);
  return rows.map(summaryOf);
}
