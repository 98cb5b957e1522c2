/**
 * Redrive: dead letters put back on their source topics once their cause is fixed.
 *
 * A platform's dead letter (its source is the platform's deliver topic) has a final row —
 * `dead_lettered` or `rejected` — that the deliverer would otherwise honour and skip. Redriving it
 * grants the delivery a new generation (src/deliveries/generations.ts: who, why, the row it
 * supersedes) and produces the original with that generation in its headers: the live deliverer
 * sends it once, under the generation's own idempotency key, and its outcome replaces the row. A
 * delivery that was delivered meanwhile is left alone (and the deliverer re-checks it). Dead
 * letters of one event are redriven once per run. Other dead-letter topics (ingest, routing) are
 * republished as they are: the stages after them are idempotent.
 *
 * A new generation has a new idempotency key, so the deliverer's lookup before a send cannot find
 * a record an earlier generation's send left at the platform — and a dead letter whose attempts
 * ran out on timeouts, resets or lost answers may well have left one. So before granting, redrive
 * asks the platform (its connector's lookup, `exists`) for the record under each earlier
 * generation's key; one that is there is not re-sent (`skip_found_at_platform`), and the operator
 * sees it. Nothing is granted while that check cannot be made.
 */
import type { Db } from '../db/database.ts';
import { audit } from '../audit/audit.ts';
import { grantGenerations } from '../deliveries/generations.ts';
import { redeliveryHeaders } from '../deliveries/redelivery.ts';
import type { Platform } from '../domain/platform.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { DLQ_HEADERS } from '../kafka/dead-letter.ts';
import type { InboundMessage, MessageSink } from '../kafka/ports.ts';

export interface RedriveFilter {
  readonly code?: string;
  readonly tenants?: readonly string[];
  readonly eventIds?: readonly string[];
  readonly limit?: number;
}

export const REDRIVE_ACTIONS = ['redrive', 'republish', 'skip_delivered', 'skip_found_at_platform', 'skip_duplicate', 'skip_undecodable'] as const;
export type RedriveAction = (typeof REDRIVE_ACTIONS)[number];

export interface RedriveItem {
  readonly partition: number;
  readonly offset: string;
  readonly code: string | null;
  readonly reason: string | null;
  readonly failedAt: string | null;
  readonly eventId: string | null;
  readonly tenantId: string | null;
  readonly action: RedriveAction;
  readonly generation: number | null;
}

export interface RedriveDeps {
  readonly db: Db;
  readonly sink: MessageSink;
  /** Unseals a dead letter: its original topic, key and value. */
  readonly open: (message: InboundMessage) => { topic: string; key: Buffer | null; value: Buffer };
  /** Decodes a deliver topic's message (for its event and tenant ids). */
  readonly decode: (value: Buffer) => Promise<RedactedEvent>;
  /** The platform whose deliver topic `topic` is, or null. */
  readonly platformOf: (topic: string) => Platform | null;
  /** Whether the platform holds the record of `event`'s delivery sent under `generation`'s key. */
  readonly exists: (platform: Platform, event: RedactedEvent, generation: number) => Promise<boolean>;
}

export interface RedriveRequest extends RedriveFilter {
  readonly dryRun: boolean;
  readonly actor: string;
  readonly reason: string;
  readonly topic: string;
}

export interface RedriveReport {
  readonly dryRun: boolean;
  readonly items: readonly RedriveItem[];
  readonly counts: Record<RedriveAction, number>;
}

export async function redrive(deps: RedriveDeps, deadLetters: readonly InboundMessage[], request: RedriveRequest): Promise<RedriveReport> {
  const tenants = request.tenants?.length ? new Set(request.tenants) : null;
  const ids = request.eventIds?.length ? new Set(request.eventIds.map((id) => id.toLowerCase())) : null;
  const selected: { message: InboundMessage; original: ReturnType<RedriveDeps['open']>; event: RedactedEvent | null; platform: Platform | null }[] = [];
  for (const message of deadLetters) {
    if (request.code !== undefined && message.headers[DLQ_HEADERS.code] !== request.code) continue;
    const original = deps.open(message);
    const platform = deps.platformOf(original.topic);
    let event: RedactedEvent | null = null;
    if (platform) event = await deps.decode(original.value).catch(() => null);
    if ((tenants || ids) && (!event || (tenants && !tenants.has(event.tenantId)) || (ids && !ids.has(event.eventId.toLowerCase())))) continue;
    selected.push({ message, original, event, platform });
    if (request.limit !== undefined && selected.length >= request.limit) break;
  }

  // The current row of each platform delivery concerned (what a dry run reports; a run grants on it).
  const byPlatform = new Map<Platform, string[]>();
  for (const s of selected) if (s.platform && s.event) byPlatform.set(s.platform, [...(byPlatform.get(s.platform) ?? []), s.event.eventId]);
  const statusOf = new Map<string, { status: string; generation: number; errorClass: string | null }>();
  for (const [platform, eventIds] of byPlatform) {
    const rows = await deps.db
      .selectFrom('impact_deliveries')
      .select(['event_id', 'status', 'generation', 'last_error_class'])
      .where('platform', '=', platform)
      .where('event_id', 'in', [...new Set(eventIds)])
      .execute();
    for (const row of rows) {
      statusOf.set(`${platform}:${row.event_id}`, { status: row.status, generation: row.generation, errorClass: row.last_error_class });
    }
  }
  // Before any grant: is a record an earlier generation sent already at the platform? Looked for
  // back to the latest forced generation (a force re-sends a delivered record on purpose: the
  // record before it is expected to be there).
  const forcedFrom = new Map<string, number>();
  for (const [platform, eventIds] of byPlatform) {
    const rows = await deps.db
      .selectFrom('delivery_generations')
      .select(['event_id', (eb) => eb.fn.max('generation').as('generation')])
      .where('platform', '=', platform)
      .where('kind', '=', 'force')
      .where('event_id', 'in', [...new Set(eventIds)])
      .groupBy('event_id')
      .execute();
    for (const row of rows) forcedFrom.set(`${platform}:${row.event_id}`, Number(row.generation));
  }
  const atPlatform = new Set<string>();
  for (const { event, platform } of selected) {
    if (!platform || !event) continue;
    const key = `${platform}:${event.eventId}`;
    const row = statusOf.get(key);
    if (!row || !mayHaveLanded(row) || atPlatform.has(key)) continue;
    for (let generation = row.generation; generation >= (forcedFrom.get(key) ?? 0); generation--) {
      if (await deps.exists(platform, event, generation)) {
        atPlatform.add(key);
        break;
      }
    }
  }
  const granted = new Map<string, number | null>();
  if (!request.dryRun) {
    for (const [platform, all] of byPlatform) {
      const eventIds = [...new Set(all)].filter((eventId) => !atPlatform.has(`${platform}:${eventId}`));
      if (eventIds.length === 0) continue;
      const grants = await grantGenerations(deps.db, { platform, eventIds, kind: 'redrive', reason: request.reason, requestedBy: request.actor });
      for (const grant of grants) granted.set(`${platform}:${grant.eventId}`, grant.granted ? grant.generation : null);
    }
  }

  const items: RedriveItem[] = [];
  const outgoing: { topic: string; key: Buffer | null; value: Buffer; headers: Record<string, string> }[] = [];
  const done = new Set<string>();
  for (const { message, original, event, platform } of selected) {
    const h = message.headers;
    const base = {
      partition: message.partition,
      offset: message.offset,
      code: h[DLQ_HEADERS.code] ?? null,
      reason: h[DLQ_HEADERS.reason] ?? null,
      failedAt: h[DLQ_HEADERS.failedAt] ?? null,
      eventId: event?.eventId ?? null,
      tenantId: event?.tenantId ?? null,
    };
    let action: RedriveAction;
    let generation: number | null = null;
    if (platform && !event) action = 'skip_undecodable';
    else if (platform && event) {
      const key = `${platform}:${event.eventId}`;
      const row = statusOf.get(key);
      if (done.has(key)) action = 'skip_duplicate';
      else if (!row) action = 'republish';
      else if (row.status === 'delivered') action = 'skip_delivered';
      else if (atPlatform.has(key)) action = 'skip_found_at_platform';
      else {
        generation = request.dryRun ? row.generation + 1 : (granted.get(key) ?? null);
        action = generation === null ? 'skip_delivered' : 'redrive';
      }
      done.add(key);
    } else action = 'republish';
    items.push({ ...base, action, generation });
    if (action === 'redrive' || action === 'republish') {
      outgoing.push({
        topic: original.topic,
        key: original.key,
        value: original.value,
        headers: redeliveryHeaders({ generation: generation ?? 0, replayId: null }),
      });
    }
  }
  if (!request.dryRun && outgoing.length > 0) await deps.sink.send(outgoing);
  const counts = Object.fromEntries(REDRIVE_ACTIONS.map((a) => [a, 0])) as Record<RedriveAction, number>;
  for (const item of items) counts[item.action]++;
  if (!request.dryRun) {
    await audit(deps.db, request.actor, 'dlq.redrive', { topic: request.topic, code: request.code ?? null, tenants: request.tenants ?? [], eventIds: request.eventIds ?? [], reason: request.reason }, counts);
  }
  return { dryRun: request.dryRun, items, counts };
}

/**
 * Codes of a final row after which nothing can be at the platform: it refused the request (a 4xx
 * is `rejected`), or nothing was sent (the gate, bad input, no tenant, no configuration).
 */
const NOTHING_SENT = new Set(['PLATFORM_REJECTED', 'PII_BLOCKED', 'VALIDATION_FAILED', 'DECODE_FAILED', 'UNKNOWN_TENANT', 'NOT_ROUTABLE', 'CONFIG_INVALID']);

/** Whether an earlier generation's send may have left a record at the platform that we do not know of. */
function mayHaveLanded(row: { status: string; errorClass: string | null }): boolean {
  if (row.status === 'delivered' || row.status === 'rejected') return false;
  return row.errorClass === null || !NOTHING_SENT.has(row.errorClass);
}
