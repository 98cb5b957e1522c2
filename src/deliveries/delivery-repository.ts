/**
 * The delivery record in PostgreSQL: one row per (event, platform). Recording a final outcome
 * writes the row and its outbox messages (the result, and the dead letter when there is one) in
 * ONE transaction: the result is published if and only if the row committed, and the unique
 * (event_id, platform) constraint makes a second recording of the same delivery a no-op.
 */
import { sql, type OnConflictBuilder } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import type { AttemptRecord } from './attempt-log.ts';
import type { ParkedState } from './parking-lot.ts';
import { NO_REDELIVERY, type Redelivery } from './redelivery.ts';
import { storedMessageColumns } from './stored-message.ts';
import type { DeliveryResult, DeliveryStatus } from '../domain/delivery-result.ts';
import type { EventKind } from '../domain/event.ts';
import type { Platform } from '../domain/platform.ts';
import type { InboundMessage, OutboundMessage } from '../kafka/ports.ts';
import { writeOutbox } from '../outbox/outbox.ts';

export interface DeliveryState {
  readonly row: DeliveryRow | null;
  /**
   * Set when an earlier send may have landed and its outcome is not recorded (look it up before
   * sending): how long ago, by PostgreSQL's clock, the latest such send was marked. A look-up
   * sooner than the settle time after it could miss a late apply, even when Redis has lost its
   * own record of the wait. Null when no send is unsettled.
   */
  readonly unsettledForMs: number | null;
  /** 'self' when this delivery is parked, 'behind' when an earlier one of its ordering key is. */
  readonly parked: ParkedState;
  /**
   * The generation a send is for (its idempotency key: `idempotencyKey(…, generation)`), and the
   * replay it belongs to; both go into the result.
   */
  readonly generation: number;
  readonly replayId: string | null;
}

export interface DeliveryRow {
  /** `submitted`: waiting in an asynchronous platform job (no impact_deliveries row yet). */
  readonly status: DeliveryStatus | 'submitted';
  readonly attempts: number;
  readonly externalRef: string | null;
}

export class DeliveryRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }


  /**
   * Where a delivery stands, in one round trip per delivery: its final row or pending submission
   * (`row`), whether an earlier send's outcome is unknown (`unsettledForMs`: look before sending again),
   * and whether it — or an earlier event of its ordering key — is parked (src/deliveries/parking-lot.ts).
   *
   * `redelivery` is what the message's headers ask for (src/deliveries/redelivery.ts). A final row
   * stands — nothing is sent — unless an operator granted a later generation of it
   * (`delivery_generations`) and either the row is not `delivered` (a redrive of a dead letter or
   * rejection) or the grant is an explicit `force`. Then `row` is null and `generation` is the
   * granted one: the send uses that generation's idempotency key, and its outcome replaces the row.
   * A row already at (or past) the generation asked for stands, so each generation is sent once.
   */
  async state(eventId: string, platform: Platform, orderingKey: string, redelivery: Redelivery = NO_REDELIVERY): Promise<DeliveryState> {
    const states = await this.states(platform, [{ eventId, orderingKey, redelivery }]);
    return states.get(eventId)!;
  }

  /**
   * `state` for many deliveries of one platform in ONE query (the deliveries in flight at once:
   * src/engine/coalescer.ts). Answers every event id asked for; an id asked twice gets one answer.
   */
  async states(platform: Platform, wanted: readonly StateRequest[]): Promise<Map<string, DeliveryState>> {
    const answers = new Map<string, DeliveryState>();
    if (wanted.length === 0) return answers;
    const { rows } = await sql<StateRow>`
      with wanted as (
        select * from unnest(
          ${wanted.map((w) => w.eventId)}::uuid[],
          ${wanted.map((w) => w.orderingKey)}::text[],
          ${wanted.map((w) => (w.redelivery ?? NO_REDELIVERY).generation)}::int[]
        ) as w(event_id, ordering_key, generation)
      )
      select w.event_id::text as wanted, 'final' as kind, d.status, d.attempts, d.external_ref, d.generation,
             null::timestamptz as at, d.replay_id::text as replay_id, null::int as age_ms
        from wanted w join impact_deliveries d on d.event_id = w.event_id and d.platform = ${platform}
      union all
      select w.event_id::text, 'submitted', null, j.attempts, null, 0, j.first_attempt_at, null, null
        from wanted w join delivery_job_records j on j.event_id = w.event_id and j.platform = ${platform}
      union all
      select w.event_id::text, 'unsettled', null, 0, null, 0, null, null,
             greatest(0, (extract(epoch from (now() - u.marked_at)) * 1000))::int
        from wanted w join unsettled_sends u on u.event_id = w.event_id and u.platform = ${platform}
      union all
      (select distinct on (w.event_id) w.event_id::text,
              case when p.event_id = w.event_id then 'parked' else 'parked_behind' end, null, 0, null, 0, null, null, null
         from wanted w join parked_deliveries p
           on p.platform = ${platform} and (p.event_id = w.event_id or p.ordering_key = w.ordering_key)
        order by w.event_id, p.event_id = w.event_id desc)
      union all
      select w.event_id::text, 'grant', g.kind, 0, null, g.generation, g.requested_at, g.replay_id::text, null
        from wanted w join delivery_generations g
          on g.event_id = w.event_id and g.platform = ${platform} and g.generation = w.generation
    `.execute(this.#db);
    const byEvent = new Map<string, StateRow[]>();
    for (const row of rows) byEvent.set(row.wanted, [...(byEvent.get(row.wanted) ?? []), row]);
    for (const w of wanted) {
      if (!answers.has(w.eventId)) answers.set(w.eventId, stateOf(byEvent.get(w.eventId) ?? [], w.redelivery ?? NO_REDELIVERY));
    }
    return answers;
  }

  /** Marks sends whose outcome is unknown: until their outcomes are recorded, every attempt looks first. */
  async markUnsettled(eventIds: readonly string[], platform: Platform): Promise<void> {
    if (eventIds.length === 0) return;
    await this.#db
      .insertInto('unsettled_sends')
      .values(eventIds.map((eventId) => ({ event_id: eventId, platform })))
      // The latest unknown send is the one that may still be applied: its time counts.
      .onConflict((oc) => oc.columns(['platform', 'event_id']).doUpdateSet({ marked_at: sql<Date>`now()` }))
      .execute();
  }

  /**
   * Records that a delivery was accepted into an asynchronous platform job: the job (if new) and
   * the pending record, in ONE transaction. From then on `find` reports it as `submitted`, so a
   * redelivered or replayed message sends nothing; the job's callback or the reconciler records
   * the final outcome (src/deliveries/delivery-jobs.ts).
   */
  async recordSubmission(submission: JobSubmission): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('delivery_jobs')
        .values({
          platform: submission.platform,
          job_id: submission.jobId,
          tenant_id: submission.tenantId,
          status: 'submitted',
          record_count: submission.recordCount,
          submitted_at: submission.submittedAt,
          next_poll_at: submission.pollAt,
        })
        .onConflict((oc) => oc.columns(['platform', 'job_id']).doNothing())
        .execute();
      await tx
        .with('cleared', (db) =>
          db
            .deleteFrom('unsettled_sends')
            .where('platform', '=', submission.platform)
            .where('event_id', '=', submission.eventId)
            .returning('event_id'),
        )
        .insertInto('delivery_job_records')
        .values({
          platform: submission.platform,
          job_id: submission.jobId,
          record_index: submission.recordIndex,
          event_id: submission.eventId,
          tenant_id: submission.tenantId,
          event_kind: submission.kind,
          idempotency_key: submission.idempotencyKey,
          attempts: submission.attempts,
          attempt_history: JSON.stringify(submission.history ?? []),
          ...(submission.source ? storedMessageColumns(submission.source) : {}),
          first_attempt_at: submission.firstAttemptAt,
          generation: submission.generation ?? 0,
          replay_id: submission.replayId ?? null,
        })
        .onConflict((oc) => oc.columns(['platform', 'job_id', 'record_index']).doNothing())
        .execute();
    });
  }

  /**
   * Records several final outcomes (one batch request's, or the single-record deliveries that
   * finished together: src/deliveries/group-commit.ts) in ONE transaction: each row with its
   * outbox messages; rows already recorded are left alone. Returns the event ids newly recorded.
   */
  async recordFinals(
    results: readonly DeliveryResult[],
    outbox: (result: DeliveryResult) => OutboundMessage[],
    historyOf: (result: DeliveryResult) => readonly AttemptRecord[] = () => [],
  ): Promise<Set<string>> {
    if (results.length === 0) return new Set();
    return this.#db.transaction().execute(async (tx) => {
      // The outcomes are known now: their unsettled marks go in the same statement.
      const inserted = await tx
        .with('cleared', (db) =>
          db
            .deleteFrom('unsettled_sends')
            .where('platform', '=', results[0]!.platform)
            .where('event_id', 'in', results.map((result) => result.eventId))
            .returning('event_id'),
        )
        .insertInto('impact_deliveries')
        .values(results.map((result) => rowOf(result, historyOf(result))))
        .onConflict(laterGenerationReplaces)
        .returning('event_id')
        .execute();
      const recorded = new Set(inserted.map((row) => row.event_id));
      await writeOutbox(
        tx,
        results.filter((result) => recorded.has(result.eventId)).flatMap((result) => outbox(result)),
      );
      return recorded;
    });
  }
}

/** One delivery accepted into an asynchronous platform job. */
export interface JobSubmission {
  readonly platform: Platform;
  readonly jobId: string;
  readonly recordIndex: number;
  readonly recordCount: number;
  readonly tenantId: string;
  readonly eventId: string;
  readonly kind: EventKind;
  readonly idempotencyKey: string;
  readonly attempts: number;
  /** The requests made so far (the submission's among them), written with the final row later. */
  readonly history?: readonly AttemptRecord[];
  /** The message it came from: dead-lettered (sealed) if the job rejects the record. */
  readonly source?: InboundMessage;
  readonly firstAttemptAt: string;
  readonly submittedAt: string;
  /** When the reconciler polls the job if no callback has completed it by then. */
  readonly pollAt: string;
  /** The generation and replay the submission is for (DeliveryState), recorded with its outcome. */
  readonly generation?: number;
  readonly replayId?: string | null;
}

/**
 * A delivery recorded again: a no-op for the same generation (another attempt won), a replacement
 * for a later one (a granted redrive or force; the row it replaces is kept in delivery_generations).
 */
export function laterGenerationReplaces(oc: OnConflictBuilder<Database, 'impact_deliveries'>) {
  return oc
    .columns(['event_id', 'platform'])
    .doUpdateSet((eb) => ({
      status: eb.ref('excluded.status'),
      attempts: eb.ref('excluded.attempts'),
      last_error_class: eb.ref('excluded.last_error_class'),
      last_error_reason: eb.ref('excluded.last_error_reason'),
      external_ref: eb.ref('excluded.external_ref'),
      idempotency_key: eb.ref('excluded.idempotency_key'),
      first_attempt_at: eb.ref('excluded.first_attempt_at'),
      completed_at: eb.ref('excluded.completed_at'),
      attempt_history: eb.ref('excluded.attempt_history'),
      generation: eb.ref('excluded.generation'),
      replay_id: eb.ref('excluded.replay_id'),
      updated_at: sql<Date>`now()`,
    }))
    .where('impact_deliveries.generation', '<', (eb) => eb.ref('excluded.generation'));
}

/** The impact_deliveries row of a final result, with its attempt history. */
export function rowOf(result: DeliveryResult, history: readonly AttemptRecord[] = []) {
  return {
    attempt_history: JSON.stringify(history),
    event_id: result.eventId,
    platform: result.platform,
    tenant_id: result.tenantId,
    event_kind: result.kind,
    status: result.status,
    attempts: result.attempts,
    last_error_class: result.errorClass,
    last_error_reason: result.errorReason,
    external_ref: result.externalRef,
    idempotency_key: result.idempotencyKey,
    first_attempt_at: result.firstAttemptAt,
    completed_at: result.completedAt,
    generation: result.generation ?? 0,
    replay_id: result.replayId ?? null,
  };
}

/** One delivery `states` is asked about. */
export interface StateRequest {
  readonly eventId: string;
  readonly orderingKey: string;
  /** What the message's headers ask for (src/deliveries/redelivery.ts); none by default. */
  readonly redelivery?: Redelivery;
}

type StateKind = 'final' | 'submitted' | 'unsettled' | 'parked' | 'parked_behind' | 'grant';

interface StateRow {
  readonly wanted: string;
  readonly kind: StateKind;
  readonly status: string | null;
  readonly attempts: number;
  readonly external_ref: string | null;
  readonly generation: number;
  readonly at: Date | null;
  readonly replay_id: string | null;
  readonly age_ms: number | null;
}

/** One delivery's state from its rows of the state query (see DeliveryRepository.state). */
function stateOf(rows: readonly StateRow[], redelivery: Redelivery): DeliveryState {
  const final = rows.find((r) => r.kind === 'final');
  const grant = rows.find((r) => r.kind === 'grant');
  let submitted = rows.find((r) => r.kind === 'submitted');
  let generation = 0;
  let replayId = redelivery.replayId;
  let finalRow = final;
  if (grant && final && final.generation < grant.generation && (grant.status === 'force' || final.status !== 'delivered')) {
    // A granted later generation: the earlier final row does not stand in its way, nor do the
    // submissions of earlier generations (those made before the grant).
    finalRow = undefined;
    submitted = rows.find((r) => r.kind === 'submitted' && r.at !== null && grant.at !== null && r.at >= grant.at);
    generation = grant.generation;
    replayId = grant.replay_id ?? replayId;
  } else if (final) {
    generation = final.generation;
  }
  const row: DeliveryRow | null = finalRow
    ? { status: finalRow.status as DeliveryStatus, attempts: finalRow.attempts, externalRef: finalRow.external_ref }
    : submitted
      ? { status: 'submitted', attempts: submitted.attempts, externalRef: null }
      : null;
  const parked = rows.find((r) => r.kind === 'parked' || r.kind === 'parked_behind')?.kind;
  return {
    row,
    unsettledForMs: rows.find((r) => r.kind === 'unsettled')?.age_ms ?? null,
    parked: parked === 'parked' ? 'self' : parked === 'parked_behind' ? 'behind' : null,
    generation,
    replayId,
  };
}
