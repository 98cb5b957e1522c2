/**
 * A replay's plan: for every event a platform's deliver topic holds in a window, what a replay
 * would do — computed without side effects from what PostgreSQL knows of each delivery (and, with
 * `verify`, what the platform still holds).
 *
 * The window is *publish time* on the deliver topic: the Kafka timestamp the router gave the
 * message when it forwarded the event to the platform. That is the clock offsetsForTimes and
 * `kafka-consumer-groups --reset-offsets --to-datetime` use, so a replay of [from, to) covers the
 * same messages as an offset reset to `from` would up to `to`.
 *
 * Verdicts and actions:
 * - never_delivered → send (no row, nothing in flight: e.g. skipped by an offset reset forward);
 * - outcome_unknown → send (a send whose outcome is unknown and no final row: the deliverer looks
 *   it up at the platform before sending, so an applied one is recorded, not doubled);
 * - in_progress → none (parked, or waiting in an asynchronous platform job: it will finish);
 * - delivered → none; `force` → resend as a new generation (new idempotency key, reason recorded);
 * - missing_at_platform (delivered, but `verify` found no record) → resend with `force`, else none;
 * - rejected / dead_lettered → none: their cause needs fixing first, then `dlq redrive`.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Platform } from '../domain/platform.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import type { InboundMessage } from '../kafka/ports.ts';

export const VERDICTS = ['never_delivered', 'outcome_unknown', 'in_progress', 'delivered', 'missing_at_platform', 'rejected', 'dead_lettered'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const ACTIONS = ['send', 'resend', 'none'] as const;
export type Action = (typeof ACTIONS)[number];

export interface ReplayFilters {
  readonly platform: Platform;
  readonly from: Date;
  readonly to: Date;
  readonly tenants?: readonly string[];
  readonly eventIds?: readonly string[];
}

export interface PlanOptions {
  /** Re-send delivered records (as a new generation); needs a reason at run time. */
  readonly force?: boolean;
  /** Asks the platform whether a delivered record is still there (true: found). */
  readonly verify?: (event: RedactedEvent, generation: number) => Promise<boolean>;
}

export interface PlanItem {
  readonly eventId: string;
  readonly tenantId: string;
  readonly partition: number;
  readonly offset: string;
  readonly publishedAt: string;
  readonly verdict: Verdict;
  readonly action: Action;
  readonly externalRef: string | null;
  readonly code: string | null;
  readonly generation: number;
}

export interface Plan {
  readonly filters: ReplayFilters;
  readonly force: boolean;
  readonly verified: boolean;
  readonly items: readonly PlanItem[];
  /** Events per verdict and per action. */
  readonly summary: { readonly verdicts: Record<Verdict, number>; readonly actions: Record<Action, number>; readonly undecodable: number };
}

/** A window's messages, with each event decoded (the first copy of each event id: later ones are re-sends). */
export interface WindowEvent {
  readonly message: InboundMessage;
  readonly event: RedactedEvent;
}

export async function decodeWindow(
  messages: readonly InboundMessage[],
  decode: (value: Buffer) => Promise<RedactedEvent>,
  filters: ReplayFilters,
): Promise<{ events: WindowEvent[]; undecodable: number }> {
  const tenants = filters.tenants && filters.tenants.length > 0 ? new Set(filters.tenants) : null;
  const ids = filters.eventIds && filters.eventIds.length > 0 ? new Set(filters.eventIds.map((id) => id.toLowerCase())) : null;
  const seen = new Set<string>();
  const events: WindowEvent[] = [];
  let undecodable = 0;
  const ordered = [...messages].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  for (const message of ordered) {
    if (!message.value) continue;
    let event: RedactedEvent;
    try {
      event = await decode(message.value);
    } catch {
      // Undecodable messages were dead-lettered by the deliverer; a replay has nothing to send.
      undecodable++;
      continue;
    }
    if (tenants && !tenants.has(event.tenantId)) continue;
    if (ids && !ids.has(event.eventId.toLowerCase())) continue;
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    events.push({ message, event });
  }
  return { events, undecodable };
}

interface Known {
  event_id: string;
  status: string | null;
  external_ref: string | null;
  error_class: string | null;
  generation: number | null;
  unsettled: boolean;
  in_progress: boolean;
}

/** What PostgreSQL knows of each event's delivery, in one query per 1,000 events. */
async function knownStates(db: Db, platform: Platform, eventIds: readonly string[]): Promise<Map<string, Known>> {
  const known = new Map<string, Known>();
  for (let i = 0; i < eventIds.length; i += 1_000) {
    const chunk = eventIds.slice(i, i + 1_000);
    const { rows } = await sql<Known>`
      select e.id::text as event_id, d.status, d.external_ref, d.last_error_class as error_class, d.generation,
             exists (select 1 from unsettled_sends u where u.platform = ${platform} and u.event_id = e.id) as unsettled,
             (exists (select 1 from parked_deliveries p where p.platform = ${platform} and p.event_id = e.id)
              or exists (select 1 from delivery_job_records j where j.platform = ${platform} and j.event_id = e.id)) as in_progress
        from unnest(${sql.val(chunk)}::uuid[]) as e(id)
        left join impact_deliveries d on d.event_id = e.id and d.platform = ${platform}
    `.execute(db);
    for (const row of rows) known.set(row.event_id, row);
  }
  return known;
}

export async function planReplay(db: Db, window: { events: readonly WindowEvent[]; undecodable: number }, filters: ReplayFilters, options: PlanOptions = {}): Promise<Plan> {
  const force = options.force ?? false;
  const known = await knownStates(db, filters.platform, window.events.map((e) => e.event.eventId));
  const items: PlanItem[] = [];
  for (const { message, event } of window.events) {
    const state = known.get(event.eventId);
    let verdict: Verdict;
    if (state?.status === 'delivered') {
      verdict = options.verify && !(await options.verify(event, state.generation ?? 0)) ? 'missing_at_platform' : 'delivered';
    } else if (state?.status === 'rejected' || state?.status === 'dead_lettered') {
      verdict = state.status;
    } else if (state?.in_progress) {
      verdict = 'in_progress';
    } else if (state?.unsettled) {
      verdict = 'outcome_unknown';
    } else {
      verdict = 'never_delivered';
    }
    const action: Action =
      verdict === 'never_delivered' || verdict === 'outcome_unknown'
        ? 'send'
        : force && (verdict === 'missing_at_platform' || (verdict === 'delivered' && !options.verify))
          ? 'resend'
          : 'none';
    items.push({
      eventId: event.eventId,
      tenantId: event.tenantId,
      partition: message.partition,
      offset: message.offset,
      publishedAt: new Date(Number(message.timestamp)).toISOString(),
      verdict,
      action,
      externalRef: state?.external_ref ?? null,
      code: state?.status === 'rejected' || state?.status === 'dead_lettered' ? state.error_class : null,
      generation: state?.generation ?? 0,
    });
  }
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  const actions = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  for (const item of items) {
    verdicts[item.verdict]++;
    actions[item.action]++;
  }
  return { filters, force, verified: options.verify !== undefined, items, summary: { verdicts, actions, undecodable: window.undecodable } };
}
