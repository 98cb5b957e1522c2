/**
 * Delivery stage, one consumer group per platform: impact.deliver.<platform>.v1 → platform API →
 * delivery row + outbox result in one PostgreSQL transaction → (relay) → results topic.
 *
 * Nothing doubled: PostgreSQL's delivery row is the record of truth (checked first; a final row
 * means the event was dealt with). Redis holds the in-flight lease and what we know of a send; a
 * send whose outcome is unknown (timeout, lost response, crash mid-send) is reconciled by asking
 * the platform (`lookup`) before any re-send. Nothing lost: the handler resolves — letting the
 * offset be committed — only after the final outcome is committed in PostgreSQL; every transient
 * failure rejects or retries, so the message is offered again. Final outcomes of units running at
 * once share one transaction (src/deliveries/group-commit.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AsyncCodec, Codec } from '../codec/codec.ts';
import type { Connector, DeliveryOutcome, DeliveryRequest } from '../connectors/connector.ts';
import type { DeliveryRepository, DeliveryState, StateRequest } from '../deliveries/delivery-repository.ts';
import { AttemptLog, type AttemptRecord } from '../deliveries/attempt-log.ts';
import { GroupCommit } from '../deliveries/group-commit.ts';
import { Coalescer } from '../engine/coalescer.ts';
import { parkedCarry, type ParkingLot } from '../deliveries/parking-lot.ts';
import { redeliveryOf, resultTags } from '../deliveries/redelivery.ts';
import { backoffDelayMs, type BackoffPolicy } from '../domain/backoff.ts';
import { resultKey, type DeliveryResult, type DeliveryStatus } from '../domain/delivery-result.ts';
import { ImpactError, errorReason, isImpactError } from '../domain/errors.ts';
import { orderingKey } from '../domain/event.ts';
import { idempotencyKey } from '../domain/idempotency-key.ts';
import type { Platform } from '../domain/platform.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { SendWindowClosedError } from '../http/send-window.ts';
import type { IdempotencyStore } from '../idempotency/idempotency-store.ts';
import type { DeadLetters } from '../kafka/dead-letter.ts';
import type { InboundMessage, MessageHandler, MessageSink, OutboundMessage } from '../kafka/ports.ts';
import type { Topics } from '../kafka/topics.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import type { TenantPolicy } from '../redaction/policy/policy.ts';
import { attemptResult, countsAsAttempt, isCircuitOpen, mayHaveApplied, settleDelayMs, waitWithHeartbeat } from './delivery-rules.ts';

/** Reduces an event to what one platform may see (see src/redaction/platform-view.ts). */
export type PlatformViewFn = (event: RedactedEvent, platform: Platform, tenant: TenantPolicy) => RedactedEvent;

export interface DelivererDeps {
  readonly platform: Platform;
  readonly topics: Topics;
  readonly sink: MessageSink;
  readonly codec: Codec<RedactedEvent> | AsyncCodec<RedactedEvent>;
  /** Encodes results for the results topic (the registry's wire format, as analytics reads it). */
  readonly resultCodec: AsyncCodec<DeliveryResult>;
  readonly connector: Connector;
  readonly deliveries: DeliveryRepository;
  readonly idempotency: IdempotencyStore;
  readonly tenants: TenantDirectory;
  readonly platformView: PlatformViewFn;
  readonly metrics: Metrics;
  readonly deadLetters: DeadLetters;
  readonly logger: Logger;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly leaseMs: number;
  /**
   * How long after a claim its write may still leave (src/http/send-window.ts): the lease less the
   * request timeout and the settle time, so a write sent in it is answered or settled before the
   * lease can run out and another claimer look it up. Absent: no window.
   */
  readonly sendWindowMs?: number;
  /**
   * After a send left without an answer, the least wait before the lookup
   * (DELIVERY_UNKNOWN_SETTLE_MS, by default the HTTP request timeout: the platform may still be
   * working on the request). See settleDelayMs.
   */
  readonly unknownSettleMs?: number;
  /**
   * Prefix of this process's lease owners; unique per process start. Each unit of work (one
   * handler call) claims under its own owner `<prefix>.<n>`, so two units of one process never
   * both pass the lease (a partition's retry and the parking drainer, or two concurrent keys'
   * duplicates), and a unit that throws or is aborted releases what it holds.
   */
  readonly owner?: string;
  /**
   * For connectors that answer `submitted` (an asynchronous platform job): how long after the
   * submission the reconciler polls the job if its callback has not completed it. Default 5 min.
   */
  readonly jobPollDelayMs?: number;
  /**
   * Parking (src/deliveries/parking-lot.ts): a delivery whose retries would hold its partition
   * longer than `afterMs` is parked, and so is every later event of its (tenant, subject) while it
   * is; the partition goes on. Absent in the deliverer the parking drainer uses.
   */
  readonly parking?: { readonly lot: ParkingLot; readonly afterMs: number };
  readonly now?: () => Date;
}

/** Why a delivery was parked without an attempt of its own: an earlier event of its key is parked. */
const BEHIND_PARKED = 'BEHIND_PARKED';

/** The lease one unit of work holds: its owner, and the key while it holds it. */
interface UnitLease {
  readonly owner: string;
  /** The key leased and not yet completed or released; null when nothing is held. */
  key: string | null;
  /** Whether the record may exist at the platform (a send left, or a look-up is still owed). */
  unknown: boolean;
}

/** A final outcome waiting for its transaction: the row, its attempts and its outbox messages. */
interface PendingFinal {
  readonly result: DeliveryResult;
  readonly outbox: OutboundMessage[];
  readonly history: readonly AttemptRecord[];
}

type Final =
  | { status: DeliveryStatus; externalRef: string | null; error: ImpactError | null }
  | { status: 'submitted'; externalRef: null; error: null; jobId: string; recordIndex: number }
  | { status: 'parked'; externalRef: null; error: ImpactError; retries: number; delayMs: number };

export function createDelivererHandler(deps: DelivererDeps): MessageHandler {
  const { platform, metrics } = deps;
  const stage = `deliver.${platform}`;
  const ownerPrefix = deps.owner ?? `${process.pid}.${randomUUID()}`;
  let units = 0;
  const now = deps.now ?? (() => new Date());
  // Attempts per delivery in progress, reported in the result and its row. Kept across a retry of
  // the whole message (e.g. PostgreSQL failed after the send) so they stay true; dropped once final.
  const attempts = new AttemptLog();
  // The state queries of this handler's concurrent units share one query (src/engine/coalescer.ts).
  const states = new Coalescer<StateRequest, DeliveryState>((items) =>
    deps.deliveries.states(
      platform,
      items.map((item) => item.value),
    ),
  );
  // Sends whose outcome became unknown together (a batch request that went unanswered fails
  // every record in it) are marked in one statement.
  const unsettled = new Coalescer<null, true>(async (items) => {
    await deps.deliveries.markUnsettled(
      items.map((item) => item.id),
      platform,
    );
    return new Map(items.map((item) => [item.id, true as const]));
  });
  // Final outcomes of this handler's concurrent units share transactions (group commit).
  const finals = new GroupCommit<PendingFinal>((pending) => {
    const byEvent = new Map(pending.map((entry) => [entry.result.eventId, entry]));
    return deps.deliveries.recordFinals(
      pending.map((entry) => entry.result),
      (result) => byEvent.get(result.eventId)!.outbox,
      (result) => byEvent.get(result.eventId)!.history,
    );
  });

  return async (message, signal, heartbeat) => {
    // This unit's own lease owner; released below if the unit throws while holding the lease.
    const lease: UnitLease = { owner: `${ownerPrefix}.${(++units).toString(36)}`, key: null, unknown: false };
    try {
      await handle(message, signal, lease, heartbeat);
    } catch (error) {
      if (lease.key !== null) {
        // Left holding the lease (PostgreSQL failed after the send, the registry failed encoding
        // the result, the unit was aborted): let go of it so the next unit — a retry here, or the
        // member that gets the partition — need not wait the lease out. `unknown` whenever the
        // record may exist at the platform, so that unit looks before it sends.
        await deps.idempotency
          .release(lease.key, lease.owner, lease.unknown ? 'unknown' : 'retry')
          .catch((releaseError: unknown) => deps.logger.warn({ err: errorReason(releaseError), platform }, 'could not release a lease'));
      }
      throw error;
    }
  };

  async function handle(message: InboundMessage, signal: AbortSignal, lease: UnitLease, heartbeat?: () => Promise<void>): Promise<void> {
    let event: RedactedEvent;
    try {
      event = await deps.codec.decode(message.value);
    } catch (error) {
      // A registry that cannot be reached is not the message's fault: retried, never dead-lettered.
      if (!isImpactError(error) || error.retryable) throw error;
      await deps.sink.send([deps.deadLetters.message(deps.topics.deliverDlq[platform], stage, message, error)]);
      metrics.deadLetters.inc({ stage, code: error.code });
      metrics.messagesHandled.inc({ stage });
      return;
    }

    // 1. Already final in PostgreSQL (replay, redelivery after a crash): nothing to send. Also
    //    learnt in the same query: whether an earlier send's outcome is unknown (look first), and
    //    whether it is parked.
    //    A redrive or replay's headers ask for a generation; the repository decides whether it stands.
    const orderKey = orderingKey(event);
    const state = await states.submit({ id: event.eventId, value: { eventId: event.eventId, orderingKey: orderKey, redelivery: redeliveryOf(message.headers) } });
    const key = idempotencyKey(platform, event.tenantId, event.eventId, event.payload, state.generation);
    if (state.row) {
      metrics.idempotencyHits.inc({ platform, source: 'postgres' });
      metrics.messagesHandled.inc({ stage });
      return;
    }

    // 2. Parked, or behind a parked event of its (tenant, subject): the lot's drainer delivers it, in order.
    if (deps.parking) {
      if (state.parked === 'self') {
        metrics.messagesHandled.inc({ stage });
        return;
      }
      if (state.parked === 'behind') {
        await park(message, event, orderKey, key, { retries: 0, reason: BEHIND_PARKED, delayMs: 0 });
        return;
      }
    }

    // A delivery the drainer brings back from the lot carries on with its history and retries.
    const carried = parkedCarry(message);
    attempts.seed(key, carried.history);
    const firstAttemptAt = now();
    const final = await deliver(event, key, carried.retries, state.unsettledForMs, lease, signal, heartbeat);
    if (!final) throw new ImpactError('DEPENDENCY_UNAVAILABLE', 'stopping, or the group is rebalancing, before the delivery finished');

    if (final.status === 'parked') {
      await park(message, event, orderKey, key, { retries: final.retries, reason: final.error.code, delayMs: final.delayMs });
      return;
    }

    if (final.status === 'submitted') {
      // Accepted into a platform job: record the submission (not a final result) and let the
      // offset go. The job's callback — or the reconciler, if the callback is lost — finishes it.
      const submittedAt = now();
      await deps.deliveries.recordSubmission({
        platform,
        jobId: final.jobId,
        recordIndex: final.recordIndex,
        recordCount: 1,
        tenantId: event.tenantId,
        eventId: event.eventId,
        kind: event.kind,
        idempotencyKey: key,
        attempts: Math.max(1, attempts.count(key)),
        history: attempts.history(key),
        source: message,
        firstAttemptAt: firstAttemptAt.toISOString(),
        submittedAt: submittedAt.toISOString(),
        pollAt: new Date(submittedAt.getTime() + (deps.jobPollDelayMs ?? 300_000)).toISOString(),
        generation: state.generation,
        replayId: state.replayId,
      });
      attempts.forget(key);
      lease.key = null;
      await deps.idempotency
        .complete(key, { state: 'succeeded', externalRef: `job:${final.jobId}` })
        .catch((error: unknown) => deps.logger.warn({ err: errorReason(error), platform }, 'idempotency complete failed'));
      metrics.messagesHandled.inc({ stage });
      return;
    }

    const result: DeliveryResult = {
      eventId: event.eventId,
      platform,
      tenantId: event.tenantId,
      kind: event.kind,
      status: final.status,
      attempts: attempts.count(key),
      externalRef: final.externalRef,
      errorClass: final.error?.code ?? null,
      errorReason: final.error ? final.error.message.slice(0, 400) : null,
      idempotencyKey: key,
      firstAttemptAt: firstAttemptAt.toISOString(),
      completedAt: now().toISOString(),
      ...resultTags(state),
    };
    // Encoded before the transaction: a registry that cannot be reached fails the message (retried), not the commit.
    const encoded = await deps.resultCodec.encode(result);
    const recorded = await finals.write({
      id: result.eventId,
      value: { result, outbox: outboxMessages(result, encoded, message, final.error), history: attempts.history(key) },
    });
    attempts.forget(key);
    if (recorded) {
      metrics.deliveries.inc({ platform, outcome: final.status });
      metrics.deliverySeconds.observe({ platform }, (Date.now() - firstAttemptAt.getTime()) / 1000);
      if (final.status !== 'delivered') metrics.deadLetters.inc({ stage, code: final.error?.code ?? 'unknown' });
    }
    lease.key = null;
    // Best effort: PostgreSQL already holds the truth; Redis only speeds up the next check.
    await deps.idempotency
      .complete(
        key,
        final.status === 'delivered'
          ? { state: 'succeeded', externalRef: final.externalRef ?? '' }
          : { state: 'failed', reason: final.error?.code ?? final.status },
      )
      .catch((error: unknown) => deps.logger.warn({ err: errorReason(error), platform }, 'idempotency complete failed'));
    metrics.messagesHandled.inc({ stage });
  }

  /** Parks a delivery (its lease is already released) and lets its offset go. */
  async function park(
    message: InboundMessage,
    event: RedactedEvent,
    orderKey: string,
    key: string,
    how: { retries: number; reason: string; delayMs: number },
  ): Promise<void> {
    await deps.parking!.lot.park([
      {
        platform,
        eventId: event.eventId,
        orderingKey: orderKey,
        tenantId: event.tenantId,
        message,
        history: attempts.history(key),
        retries: how.retries,
        reason: how.reason,
        nextAttemptAt: new Date(Date.now() + how.delayMs),
      },
    ]);
    attempts.forget(key);
    metrics.parked.inc({ platform, reason: how.reason });
    metrics.messagesHandled.inc({ stage });
    deps.logger.info({ platform, eventId: event.eventId, reason: how.reason, retries: how.retries }, 'delivery parked; its partition goes on');
  }

  function outboxMessages(result: DeliveryResult, encoded: Buffer, source: InboundMessage, error: ImpactError | null): OutboundMessage[] {
    const messages: OutboundMessage[] = [{ topic: deps.topics.results, key: resultKey(result), value: encoded }];
    if (result.status !== 'delivered' && error) {
      messages.push(deps.deadLetters.message(deps.topics.deliverDlq[platform], stage, source, error));
    }
    return messages;
  }

  async function deliver(
    event: RedactedEvent,
    key: string,
    retriesBefore: number,
    unsettledForMs: number | null,
    lease: UnitLease,
    signal: AbortSignal,
    heartbeat?: () => Promise<void>,
  ): Promise<Final | null> {
    const config = await deps.tenants.platformConfig(event.tenantId, platform);
    if (!config) {
      return fail('dead_lettered', new ImpactError('UNKNOWN_TENANT', `tenant ${event.tenantId} has no ${platform} configuration`));
    }
    const request: DeliveryRequest = {
      event: deps.platformView(event, platform, config.policy),
      idempotencyKey: key,
      credentials: config.credentials,
      tenantPolicy: config.policy,
    };
    let retries = retriesBefore;
    // PostgreSQL's mark that a send may have landed: Redis may have lost its "unknown" (restarted
    // empty) and the process that sent its memory (killed), so look before the first send — and
    // not before that send has settled (its settle time was Redis's to keep; this is the mark's age).
    let mustLook = unsettledForMs !== null;
    const settleRest = unsettledForMs === null ? 0 : (deps.unknownSettleMs ?? 0) - unsettledForMs;
    if (settleRest > 0) await waitWithHeartbeat(settleRest, signal, heartbeat);
    // Past this moment a back-off parks the delivery instead of holding the partition.
    const parkBy = deps.parking ? Date.now() + deps.parking.afterMs : Infinity;
    while (!signal.aborted) {
      // Read before the claim: the lease in the store ends no earlier than this plus leaseMs.
      let claimedAt = Date.now();
      const claim = await deps.idempotency.claim(key, lease.owner, deps.leaseMs);
      if (claim.claimed) {
        lease.key = key;
        lease.unknown = claim.mustReconcile || mustLook;
      }
      if (!claim.claimed) {
        const record = claim.record;
        if (record.state === 'succeeded') {
          metrics.idempotencyHits.inc({ platform, source: 'redis' });
          return { status: 'delivered', externalRef: record.externalRef, error: null };
        }
        if (record.state === 'failed') {
          return fail('dead_lettered', new ImpactError('PLATFORM_REJECTED', `earlier attempt failed: ${record.reason}`));
        }
        if (record.state === 'in_flight') {
          // Another member holds the lease (a rebalance moved the partition mid-send): wait it out.
          await waitWithHeartbeat(Math.max(100, Math.min(record.leaseUntil - Date.now(), 5_000)), signal, heartbeat);
          continue;
        }
        if (record.state === 'unknown') {
          // An unanswered send is settling (whoever sent it): a look-up now could miss a late apply.
          await waitWithHeartbeat(Math.max(100, Math.min((record.lookAfter ?? 0) - Date.now(), 5_000)), signal, heartbeat);
          continue;
        }
      }
      // True while a send is in flight; a failure before it (the reconciling lookup) sent nothing.
      let sending = false;
      let sentAt = 0;
      try {
        if (claim.claimed && (claim.mustReconcile || mustLook)) {
          const found = await deps.connector.lookup(request);
          metrics.reconciliations.inc({ platform, found: String(found !== null) });
          if (found) return { status: 'delivered', externalRef: found.externalRef, error: null };
          // Rare and worth a line: a send that may have landed was not found, so it goes again.
          // If the platform applies the earlier one later still, this line and the key trace it.
          deps.logger.info({ platform, eventId: event.eventId, key }, 'looked up an unsettled send: not found; sending again');
          mustLook = false;
          lease.unknown = false;
          // A look-up can take a while (Benevity's import settle time): renew the lease, and with
          // it the send window, so the send is not refused for the time the look-up took — and is
          // not made at all if another member took the key meanwhile.
          const renewedAt = Date.now();
          const renewed = await deps.idempotency.claim(key, lease.owner, deps.leaseMs);
          if (!renewed.claimed) {
            lease.key = null;
            mustLook = true;
            continue;
          }
          claimedAt = renewedAt;
        }
        sending = true;
        lease.unknown = true;
        sentAt = Date.now();
        const outcome: DeliveryOutcome = await deps.connector.deliver(
          deps.sendWindowMs === undefined ? request : { ...request, sendBy: claimedAt + deps.sendWindowMs },
        );
        attempts.add(key, outcome.status, sentAt);
        metrics.deliveryAttempts.inc({ platform, result: outcome.status });
        if (outcome.status === 'delivered') return { status: 'delivered', externalRef: outcome.externalRef, error: null };
        if (outcome.status === 'submitted') {
          return { status: 'submitted', externalRef: null, error: null, jobId: outcome.jobId, recordIndex: outcome.recordIndex };
        }
        return fail('rejected', new ImpactError('PLATFORM_REJECTED', outcome.reason));
      } catch (caught) {
        if (caught instanceof SendWindowClosedError) {
          // Nothing left (a long wait for a rate-limit or OAuth token): the lease could have run out
          // before this write settled. Give the key back as surely unsent and claim it afresh.
          metrics.sendWindowClosed.inc({ platform });
          lease.key = null;
          lease.unknown = false;
          await deps.idempotency.release(key, lease.owner, 'retry');
          continue;
        }
        const error = isImpactError(caught) ? caught : new ImpactError('OUTCOME_UNKNOWN', errorReason(caught), { cause: caught });
        if (sending) {
          // Refusals before anything was sent (the pre-send gate, bad credentials) are not attempts.
          if (countsAsAttempt(error)) attempts.add(key, attemptResult(error), sentAt);
          metrics.deliveryAttempts.inc({ platform, result: error.code });
        } else {
          metrics.reconciliations.inc({ platform, found: 'error' });
        }
        // Could the platform have applied it? Then the next attempt must look before sending. A
        // failed lookup leaves the earlier send's outcome exactly as unknown as it was — and that
        // send may have been another process's (a lease taken over), which could not mark it.
        const mayExist = !sending || mayHaveApplied(error);
        if (mayExist) {
          mustLook = true;
          await unsettled
            .submit({ id: event.eventId, value: null })
            .catch((markError: unknown) => deps.logger.warn({ err: errorReason(markError), platform }, 'could not mark the send unsettled'));
        }
        lease.key = null;
        // The settle time goes with the key: if this unit is replaced before it has waited (a
        // rebalance, a failed heartbeat), the next claimer waits the rest instead of looking now.
        await deps.idempotency.release(key, lease.owner, mayExist ? 'unknown' : 'retry', settleDelayMs(error, sending, deps.unknownSettleMs ?? 0));
        if (isCircuitOpen(error)) throw error;
        if (!error.retryable) return fail('dead_lettered', error);
        // A 429 is the platform pacing us, not a fault of the record: it does not use up attempts.
        if (error.code !== 'PLATFORM_RATE_LIMITED') retries++;
        if (retries >= deps.maxAttempts) {
          return fail('dead_lettered', new ImpactError('ATTEMPTS_EXHAUSTED', `${retries} attempts; last: ${error.code}`));
        }
        const delay = Math.max(
          error.retryAfterMs ?? 0,
          backoffDelayMs(Math.max(1, retries), deps.backoff),
          settleDelayMs(error, sending, deps.unknownSettleMs ?? 0),
        );
        // A 429 paces every delivery to the platform alike: parking one would not let others go.
        if (error.code !== 'PLATFORM_RATE_LIMITED' && Date.now() + delay > parkBy) {
          return { status: 'parked', externalRef: null, error, retries, delayMs: delay };
        }
        deps.logger.info({ platform, eventId: event.eventId, code: error.code, reason: error.message, retries, delayMs: delay }, 'delivery attempt failed; retrying');
        await waitWithHeartbeat(delay, signal, heartbeat);
      }
    }
    return null;
  }

  function fail(status: DeliveryStatus, error: ImpactError): Final & { status: DeliveryStatus } {
    return { status, externalRef: null, error };
  }
}
