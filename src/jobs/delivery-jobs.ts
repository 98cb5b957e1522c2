/**
 * Asynchronous platform jobs (Benevity's volunteer-hours bulk import) in PostgreSQL. The deliverer
 * records a submission (DeliveryRepository.recordSubmission) and commits its offset; the job's
 * outcome arrives later — by the signed completion callback or, when that is late or lost, by the
 * reconciler polling the job — and `complete` turns each record's outcome into the delivery row
 * plus its outbox result, all in ONE transaction. Completing is idempotent: the job row is locked
 * and completes once, so a duplicate or replayed callback, or a poll racing a callback, changes
 * nothing.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { JobRecordResult } from '../connectors/connector.ts';
import type { Db } from '../db/database.ts';
import { resultKey, type DeliveryResult } from '../domain/delivery-result.ts';
import type { EventKind } from '../domain/event.ts';
import type { Platform } from '../domain/platform.ts';
import { writeOutbox } from '../outbox/outbox.ts';
import { laterGenerationReplaces, rowOf } from '../deliveries/delivery-repository.ts';
import type { AsyncCodec } from '../codec/codec.ts';
import { ImpactError } from '../domain/errors.ts';
import type { DeadLetters } from '../kafka/dead-letter.ts';
import type { OutboundMessage } from '../kafka/ports.ts';
import type { Topics } from '../kafka/topics.ts';
import { parseAttemptHistory } from '../deliveries/attempt-log.ts';
import { storedMessage } from '../deliveries/stored-message.ts';
import { jobRecordHeaders } from '../observability/tracing/callback-spans.ts';

export type CompletionOutcome =
  | { readonly status: 'completed'; readonly recorded: readonly DeliveryResult[] }
  | { readonly status: 'already_completed' }
  | { readonly status: 'unknown_job' }
  | { readonly status: 'replayed' };

export interface DueJob {
  readonly platform: Platform;
  readonly jobId: string;
  readonly tenantId: string;
  readonly pollCount: number;
}

export interface DeliveryJobsOptions {
  readonly db: Db;
  /** The results topic, and each platform's dead-letter topic for the records a job rejects. */
  readonly topics: Pick<Topics, 'results' | 'deliverDlq'>;
  readonly deadLetters: DeadLetters;
  /** Encodes results for the results topic. */
  readonly resultCodec: AsyncCodec<DeliveryResult>;
  readonly now?: () => Date;
}

export class DeliveryJobs {
  readonly #db: Db;
  readonly #topics: Pick<Topics, 'results' | 'deliverDlq'>;
  readonly #deadLetters: DeadLetters;
  readonly #resultCodec: AsyncCodec<DeliveryResult>;
  readonly #now: () => Date;

  constructor(options: DeliveryJobsOptions) {
    this.#db = options.db;
    this.#topics = options.topics;
    this.#deadLetters = options.deadLetters;
    this.#resultCodec = options.resultCodec;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Records the job's per-record outcomes as final delivery results. `receipt` (a callback's
   * signature) is stored in the same transaction: the same signed bytes are accepted once. A job
   * we do not know (yet: the callback can outrun the commit of the submission) is left untouched,
   * and its receipt is not kept, so the platform's retry is processed.
   */
  async complete(
    platform: Platform,
    jobId: string,
    via: 'callback' | 'poll',
    results: readonly JobRecordResult[],
    receipt?: { readonly signature: string },
  ): Promise<CompletionOutcome> {
    return this.#db.transaction().execute(async (tx): Promise<CompletionOutcome> => {
      const job = await tx
        .selectFrom('delivery_jobs')
        .select(['status'])
        .where('platform', '=', platform)
        .where('job_id', '=', jobId)
        .forUpdate()
        .executeTakeFirst();
      if (!job) return { status: 'unknown_job' };
      if (receipt) {
        const stored = await tx
          .insertInto('callback_receipts')
          .values({ platform, signature_hash: signatureHash(receipt.signature) })
          .onConflict((oc) => oc.columns(['platform', 'signature_hash']).doNothing())
          .returning('signature_hash')
          .executeTakeFirst();
        if (!stored) return { status: 'replayed' };
      }
      if (job.status === 'completed') return { status: 'already_completed' };

      const records = await tx
        .selectFrom('delivery_job_records')
        .selectAll()
        .where('platform', '=', platform)
        .where('job_id', '=', jobId)
        .orderBy('record_index')
        .execute();
      const completedAt = this.#now().toISOString();
      const finals = records.map((record): DeliveryResult => {
        const reported = results.find((r) => r.index === record.record_index && r.externalId === record.idempotency_key);
        const base = {
          eventId: record.event_id,
          platform,
          tenantId: record.tenant_id,
          kind: record.event_kind as EventKind,
          attempts: record.attempts,
          idempotencyKey: record.idempotency_key,
          firstAttemptAt: new Date(record.first_attempt_at).toISOString(),
          completedAt,
          ...(record.generation > 0 ? { generation: record.generation } : {}),
          ...(record.replay_id ? { replayId: record.replay_id } : {}),
        };
        if (!reported) {
          // The platform's answer does not account for our record: final, with the reason.
          return {
            ...base,
            status: 'dead_lettered',
            externalRef: null,
            errorClass: 'PLATFORM_BAD_RESPONSE',
            errorReason: `${platform} job result has no outcome for record ${record.record_index}`,
          };
        }
        return reported.outcome.status === 'delivered'
          ? { ...base, status: 'delivered', externalRef: reported.outcome.externalRef, errorClass: null, errorReason: null }
          : {
              ...base,
              status: 'rejected',
              externalRef: null,
              errorClass: reported.outcome.errorClass,
              errorReason: reported.outcome.reason.slice(0, 400),
            };
      });
      let recorded: DeliveryResult[] = [];
      if (finals.length > 0) {
        const inserted = await tx
          .insertInto('impact_deliveries')
          .values(finals.map((final, i) => rowOf(final, parseAttemptHistory(records[i]!.attempt_history))))
          // The first outcome of a generation wins; a later generation (a redriven submission)
          // replaces an earlier generation's row.
          .onConflict(laterGenerationReplaces)
          .returning('event_id')
          .execute();
        const ids = new Set(inserted.map((row) => row.event_id));
        recorded = finals.filter((result) => ids.has(result.eventId));
        const encoded = new Map<string, Buffer>();
        for (const result of recorded) encoded.set(result.eventId, await this.#resultCodec.encode(result));
        await writeOutbox(
          tx,
          recorded.flatMap((result) => {
            const record = records.find((r) => r.event_id === result.eventId)!;
            // The result stays in its event's trace (the submission's context, kept with the record).
            const headers = jobRecordHeaders(storedMessage(record)?.headers, { ...result, jobId });
            const out: OutboundMessage[] = [{ topic: this.#topics.results, key: resultKey(result), value: encoded.get(result.eventId)!, headers }];
            // A record the job did not deliver is dead-lettered, as the deliverers do, once.
            const source = result.status === 'delivered' ? null : storedMessage(record);
            if (source) {
              const code = result.errorClass === 'PLATFORM_BAD_RESPONSE' ? 'PLATFORM_BAD_RESPONSE' : 'PLATFORM_REJECTED';
              const error = new ImpactError(code, result.errorReason ?? result.status);
              out.push(this.#deadLetters.message(this.#topics.deliverDlq[platform], `deliver.${platform}`, source, error));
            }
            return out;
          }),
        );
      }
      await tx
        .deleteFrom('delivery_job_records')
        .where('platform', '=', platform)
        .where('job_id', '=', jobId)
        .execute();
      await tx
        .updateTable('delivery_jobs')
        .set({ status: 'completed', completed_at: completedAt, completed_via: via })
        .where('platform', '=', platform)
        .where('job_id', '=', jobId)
        .execute();
      return { status: 'completed', recorded };
    });
  }

  /**
   * Claims up to `limit` open jobs whose callback is overdue, pushing their next poll out by
   * `leaseMs` in the same statement (SKIP LOCKED): several instances never poll the same job at
   * once, and a crashed poller's jobs come due again.
   */
  async claimDue(platform: Platform, limit: number, leaseMs: number): Promise<DueJob[]> {
    const rows = await sql<{ job_id: string; tenant_id: string; poll_count: number }>`
      update delivery_jobs set next_poll_at = now() + (${leaseMs}::int * interval '1 millisecond'), poll_count = poll_count + 1
      where (platform, job_id) in (
        select platform, job_id from delivery_jobs
        where platform = ${platform} and status = 'submitted' and next_poll_at <= now()
        order by next_poll_at
        limit ${limit}
        for update skip locked)
      returning job_id, tenant_id, poll_count`.execute(this.#db);
    return rows.rows.map((row) => ({ platform, jobId: row.job_id, tenantId: row.tenant_id, pollCount: row.poll_count }));
  }

  /** Open jobs of a platform (for metrics and tests). */
  async openJobs(platform: Platform): Promise<number> {
    const row = await this.#db
      .selectFrom('delivery_jobs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('platform', '=', platform)
      .where('status', '=', 'submitted')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Forgets callback receipts older than the replay window (the timestamp check refuses those). */
  async pruneReceipts(olderThanMs: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('callback_receipts')
      .where('received_at', '<', new Date(this.#now().getTime() - olderThanMs))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** Receipts keep a hash of the signature header, not the header itself. */
function signatureHash(signature: string): string {
  return createHash('sha256').update(signature).digest('hex');
}
