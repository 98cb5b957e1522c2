/**
 * Delivery stage for platforms that take batches (Goodera: ≤ 100 records per request, per-record
 * outcomes). Same rules as the per-message deliverer (deliverer.consumer.ts), applied to a chunk
 * of one partition's consecutive messages:
 *
 * - PostgreSQL's delivery row is the truth: a delivery already final (or submitted) is skipped.
 * - Each record takes its Redis lease; one whose earlier send may have landed is looked up before
 *   it is sent again. A record leased by another member waits — and so does every later record
 *   of the same (tenant, subject), so per-key order holds.
 * - The records are grouped by tenant (one API key each) into batch requests. A record's own
 *   outcome — delivered, rejected, or stopped by the pre-send gate — is final for that record
 *   alone (3 bad records of 100 reject 3, deliver 97). A failure of the whole request leaves its
 *   records pending; they are retried with back-off (their leases say whether to look first).
 * - The final outcomes of each request are written in ONE transaction (rows + outbox results +
 *   dead letters) as it answers; those decided without a request, in one more. The handler
 *   resolves — letting the chunk's offsets be committed — only when every
 *   record of the chunk is final or parked.
 * - Parking (as in the per-message deliverer): a record whose retries would hold the partition
 *   past the bound is parked with every later record of its (tenant, subject); a record behind a
 *   parked one of its key is parked straight away. The parking drainer delivers them in order.
 */
import { randomUUID } from 'node:crypto';
import type { BatchConnector, DeliveryRequest, FinalOutcome } from '../connectors/connector.ts';
import { AttemptLog } from '../deliveries/attempt-log.ts';
import { parkedCarry } from '../deliveries/parking-lot.ts';
import { redeliveryOf, resultTags } from '../deliveries/redelivery.ts';
import { backoffDelayMs } from '../domain/backoff.ts';
import { resultKey, type DeliveryResult, type DeliveryStatus } from '../domain/delivery-result.ts';
import { orderingKey } from '../domain/event.ts';
import { ImpactError, errorReason, isImpactError } from '../domain/errors.ts';
import { idempotencyKey } from '../domain/idempotency-key.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import type { BatchHandler, InboundMessage, OutboundMessage } from '../kafka/ports.ts';
import type { DelivererDeps } from './deliverer.consumer.ts';
import { attemptResult, countsAsAttempt, isCircuitOpen, mayHaveApplied, settleDelayMs, waitWithHeartbeat } from './delivery-rules.ts';

export interface BatchDelivererDeps extends Omit<DelivererDeps, 'connector' | 'jobPollDelayMs'> {
  readonly connector: BatchConnector;
}

interface Item {
  readonly message: InboundMessage;
  readonly event: RedactedEvent;
  readonly key: string;
  readonly orderKey: string;
  readonly request: DeliveryRequest | null;
  readonly firstAttemptAt: Date;
  /** The generation and replay its result carries (src/deliveries/redelivery.ts). */
  readonly tags: ReturnType<typeof resultTags>;
  /** Past this moment (epoch ms) a back-off parks the record instead of holding the partition. */
  readonly parkBy: number;
}

/** The leases one unit of work (a handler call) holds: key → whether the record may exist at the platform. */
interface UnitLeases {
  readonly owner: string;
  readonly held: Map<string, boolean>;
  /** Tells the consumer a message is dealt with (its offset may be committed once those before it are). */
  readonly final: (message: InboundMessage) => void;
}

interface Final {
  readonly status: DeliveryStatus;
  readonly externalRef: string | null;
  readonly error: ImpactError | null;
}

export function createBatchDelivererHandler(deps: BatchDelivererDeps): BatchHandler {
  const { platform, metrics } = deps;
  const stage = `deliver.${platform}`;
  // Each handler call (a unit of work) claims under its own owner: see DelivererDeps.owner.
  const ownerPrefix = deps.owner ?? `${process.pid}.${randomUUID()}`;
  let units = 0;
  const now = deps.now ?? (() => new Date());
  // Attempts and failed rounds per delivery in progress; kept across a retry of the whole chunk.
  const attempts = new AttemptLog();
  const retriesOf = new Map<string, number>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1).get(key)!;
  // Deliveries whose earlier send may have landed (PostgreSQL's unsettled mark, or a send of ours
  // that failed that way): looked up before they are sent, whatever Redis says.
  const mustLook = new Set<string>();
  // Per-key debug lines (what was sent, failed, recorded) build arrays: only when they are logged.
  const traceKeys = deps.logger.isLevelEnabled('debug');

  return async (messages, signal, heartbeat, final = () => undefined) => {
    const unit: UnitLeases = { owner: `${ownerPrefix}.${(++units).toString(36)}`, held: new Map(), final };
    try {
      await handle(messages, signal, heartbeat, unit);
    } catch (error) {
      // Leases this unit still holds (PostgreSQL failed after a send, the breaker opened, the unit
      // was aborted) are let go, `unknown` where the record may exist at the platform, so the
      // next unit need not wait them out and looks before it sends.
      for (const [key, unknown] of unit.held) {
        await deps.idempotency
          .release(key, unit.owner, unknown ? 'unknown' : 'retry')
          .catch((releaseError: unknown) => deps.logger.warn({ err: errorReason(releaseError), platform }, 'could not release a lease'));
      }
      throw error;
    }
  };

  async function handle(messages: readonly InboundMessage[], signal: AbortSignal, heartbeat: () => Promise<void>, unit: UnitLeases): Promise<void> {
    const { owner } = unit;
    const release = async (key: string, state: 'unknown' | 'retry', settleMs = 0) => {
      unit.held.delete(key);
      await deps.idempotency.release(key, owner, state, settleMs);
    };
    const items: Item[] = [];
    const finals = new Map<Item, Final>();
    // An event twice in one chunk (an upstream producer's retry) is one delivery: the copies would
    // otherwise both pass the lease (same owner) and the lookup (not sent yet) and go in one batch.
    const inChunk = new Set<string>();
    // Decoded, and where each delivery stands, for the whole chunk at once: one state query for
    // the chunk instead of one round trip per record.
    const decoded = await Promise.all(
      messages.map(async (message): Promise<{ event: RedactedEvent } | { error: unknown }> => {
        try {
          return { event: await deps.codec.decode(message.value) };
        } catch (error) {
          return { error };
        }
      }),
    );
    const asked = await deps.deliveries.states(
      platform,
      decoded.flatMap((entry, index) =>
        'event' in entry ? [{ eventId: entry.event.eventId, orderingKey: orderingKey(entry.event), redelivery: redeliveryOf(messages[index]!.headers) }] : [],
      ),
    );
    const states = decoded.map((entry) => ('event' in entry ? asked.get(entry.event.eventId)! : null));
    for (const [index, message] of messages.entries()) {
      const entry = decoded[index]!;
      if ('error' in entry) {
        const { error } = entry;
        // A registry that cannot be reached is not the message's fault: retried, never dead-lettered.
        if (!isImpactError(error) || error.retryable) throw error;
        await deps.sink.send([deps.deadLetters.message(deps.topics.deliverDlq[platform], stage, message, error)]);
        metrics.deadLetters.inc({ stage, code: error.code });
        metrics.messagesHandled.inc({ stage });
        unit.final(message);
        continue;
      }
      const { event } = entry;
      if (inChunk.has(event.eventId)) {
        // Final once its first copy is: that copy is earlier in the chunk, so the watermark waits for it.
        metrics.idempotencyHits.inc({ platform, source: 'chunk' });
        metrics.messagesHandled.inc({ stage });
        unit.final(message);
        continue;
      }
      inChunk.add(event.eventId);
      const orderKey = orderingKey(event);
      // A redrive or replay's headers asked for a generation; the repository decided whether it stands.
      const state = states[index]!;
      if (state.row) {
        metrics.idempotencyHits.inc({ platform, source: 'postgres' });
        metrics.messagesHandled.inc({ stage });
        unit.final(message);
        continue;
      }
      const key = idempotencyKey(platform, event.tenantId, event.eventId, event.payload, state.generation);
      if (state.unsettled) mustLook.add(key);
      if (deps.parking) {
        if (state.parked === 'self') {
          metrics.messagesHandled.inc({ stage });
          unit.final(message);
          continue;
        }
        if (state.parked === 'behind') {
          await park([{ message, event, key, orderKey }], BEHIND_PARKED, 0, unit);
          continue;
        }
      }
      // A record the drainer brings back from the lot carries on with its counts.
      const carried = parkedCarry(message);
      attempts.seed(key, carried.history);
      if (carried.retries > 0 && !retriesOf.has(key)) retriesOf.set(key, carried.retries);
      const config = await deps.tenants.platformConfig(event.tenantId, platform);
      const request: DeliveryRequest | null = config
        ? {
            event: deps.platformView(event, platform, config.policy),
            idempotencyKey: key,
            credentials: config.credentials,
            tenantPolicy: config.policy,
          }
        : null;
      const item: Item = {
        message,
        event,
        key,
        orderKey,
        request,
        firstAttemptAt: now(),
        tags: resultTags(state),
        parkBy: deps.parking ? Date.now() + deps.parking.afterMs : Infinity,
      };
      items.push(item);
      if (!request) {
        finals.set(item, fail('dead_lettered', new ImpactError('UNKNOWN_TENANT', `tenant ${event.tenantId} has no ${platform} configuration`)));
      }
    }

    let pending = items.filter((item) => !finals.has(item));
    await record(finals, unit);
    while (pending.length > 0) {
      if (signal.aborted) throw new ImpactError('DEPENDENCY_UNAVAILABLE', 'stopping, or the group is rebalancing, before the deliveries finished');
      // Set when the platform's breaker refused a call: the round is recorded, then the handler
      // rejects with it and the consumer pauses the partition (nothing counted, nothing dropped).
      let circuitOpen: ImpactError | undefined;
      const round = new Map<Item, Final>();
      const failed: ImpactError[] = [];
      // Least wait before the next round: a batch that went unanswered may still be in the works.
      let settle = 0;
      // Records that failed this round in a way worth parking for (not a 429, not an open breaker).
      const failedItems = new Map<Item, ImpactError>();
      const blocked = new Set<string>();
      const ready: Item[] = [];
      const recordedEarly = new Set<Item>();
      // The round's leases, claimed together (one pipelined write to Redis).
      const claims = await Promise.all(pending.map((item) => deps.idempotency.claim(item.key, owner, deps.leaseMs)));
      for (const [index, item] of pending.entries()) {
        const claim = claims[index]!;
        if (blocked.has(item.orderKey)) {
          // An earlier record of its key waits: so does this one, and its lease goes back.
          if (claim.claimed) await deps.idempotency.release(item.key, owner, claim.mustReconcile || mustLook.has(item.key) ? 'unknown' : 'retry');
          continue;
        }
        if (claim.claimed) unit.held.set(item.key, claim.mustReconcile || mustLook.has(item.key));
        if (!claim.claimed) {
          const previous = claim.record;
          if (previous.state === 'succeeded') {
            metrics.idempotencyHits.inc({ platform, source: 'redis' });
            round.set(item, { status: 'delivered', externalRef: previous.externalRef, error: null });
          } else if (previous.state === 'failed') {
            round.set(item, fail('dead_lettered', new ImpactError('PLATFORM_REJECTED', `earlier attempt failed: ${previous.reason}`)));
          } else {
            // Another member holds the lease (a rebalance moved the partition mid-send): this
            // record and the later ones of its key wait for the next round.
            blocked.add(item.orderKey);
          }
          continue;
        }
        if (claim.mustReconcile || mustLook.has(item.key)) {
          try {
            const found = await deps.connector.lookup(item.request!);
            metrics.reconciliations.inc({ platform, found: String(found !== null) });
            deps.logger.debug({ platform, eventId: item.event.eventId, key: item.key, found: found !== null }, 'looked up before a re-send');
            await heartbeat();
            if (found) {
              round.set(item, { status: 'delivered', externalRef: found.externalRef, error: null });
              continue;
            }
            mustLook.delete(item.key);
            unit.held.set(item.key, false);
          } catch (caught) {
            const error = asImpactError(caught);
            metrics.reconciliations.inc({ platform, found: 'error' });
            // A failed lookup leaves the earlier send's outcome exactly as unknown as it was — and
            // that earlier send may have been another process's, which could not mark it.
            mustLook.add(item.key);
            await markUnsettled([item]);
            await release(item.key, 'unknown');
            if (isCircuitOpen(error)) {
              circuitOpen = error;
              blocked.add(item.orderKey);
            } else if (!error.retryable) round.set(item, fail('dead_lettered', error));
            else {
              failed.push(error);
              if (error.code !== 'PLATFORM_RATE_LIMITED') failedItems.set(item, error);
              blocked.add(item.orderKey);
              if (error.code !== 'PLATFORM_RATE_LIMITED' && count(retriesOf, item.key) >= deps.maxAttempts) {
                round.set(item, exhausted(item, error));
              }
            }
            continue;
          }
        }
        ready.push(item);
      }

      const failedTenants = new Set<string>();
      // Tenants (one API key each) are sent side by side; a tenant's requests go one after
      // another, in message order, so each (tenant, subject) keeps its order.
      const perTenant = new Map<string, Item[][]>();
      for (const group of byTenant(ready, deps.connector.maxBatch)) {
        const tenantId = group[0]!.event.tenantId;
        perTenant.set(tenantId, [...(perTenant.get(tenantId) ?? []), group]);
      }
      await Promise.all(
        [...perTenant.values()].map(async (groups) => {
          for (const group of groups) {
            const tenantId = group[0]!.event.tenantId;
            if (signal.aborted || failedTenants.has(tenantId)) {
              // Stopping or rebalancing: the requests sent are answered and recorded, nothing more is
              // sent; the rest of the chunk stays unfinished (its offsets uncommitted) for the next
              // owner. After a failed request of this tenant: nothing after it, to keep the order.
              for (const item of group) await release(item.key, 'retry');
              continue;
            }
            let outcomes: (FinalOutcome | ImpactError)[];
            const sentAt = Date.now();
            if (traceKeys) deps.logger.debug({ platform, tenantId, keys: group.map((item) => item.key) }, 'sending a batch');
            for (const item of group) unit.held.set(item.key, true);
            try {
              outcomes = await deps.connector.deliverBatch(group.map((item) => item.request!));
            } catch (caught) {
              const error = asImpactError(caught);
              if (traceKeys) deps.logger.debug({ platform, tenantId, err: errorReason(error), keys: group.map((item) => item.key) }, 'batch failed');
              settle = Math.max(settle, settleDelayMs(error, true, deps.unknownSettleMs ?? 0));
              metrics.deliveryAttempts.inc({ platform, result: error.code }, group.length);
              const state = mayHaveApplied(error) ? 'unknown' : 'retry';
              // The settle time goes with the keys (see the single-record deliverer).
              const settleMs = settleDelayMs(error, true, deps.unknownSettleMs ?? 0);
              if (state === 'unknown') {
                for (const item of group) mustLook.add(item.key);
                await markUnsettled(group);
              }
              failedTenants.add(tenantId);
              if (isCircuitOpen(error)) circuitOpen = error;
              for (const item of group) {
                if (countsAsAttempt(error)) attempts.add(item.key, attemptResult(error), sentAt);
                if (isCircuitOpen(error)) {
                  await release(item.key, state, settleMs);
                  blocked.add(item.orderKey);
                  continue;
                }
                await release(item.key, state, settleMs);
                blocked.add(item.orderKey);
                if (error.retryable && error.code !== 'PLATFORM_RATE_LIMITED') failedItems.set(item, error);
                if (!error.retryable) round.set(item, fail('dead_lettered', error));
                else if (error.code !== 'PLATFORM_RATE_LIMITED' && count(retriesOf, item.key) >= deps.maxAttempts) {
                  round.set(item, exhausted(item, error));
                }
              }
              if (error.retryable && !isCircuitOpen(error)) failed.push(error);
              continue;
            } finally {
              await heartbeat();
            }
            group.forEach((item, index) => {
              const outcome = outcomes[index]!;
              if (outcome instanceof ImpactError) {
                // Refused before it was sent (the pre-send gate): final for this record alone.
                metrics.deliveryAttempts.inc({ platform, result: outcome.code });
                round.set(item, fail('dead_lettered', outcome));
                return;
              }
              attempts.add(item.key, outcome.status, sentAt);
              metrics.deliveryAttempts.inc({ platform, result: outcome.status });
              round.set(
                item,
                outcome.status === 'delivered'
                  ? { status: 'delivered', externalRef: outcome.externalRef, error: null }
                  : fail('rejected', new ImpactError('PLATFORM_REJECTED', outcome.reason)),
              );
            });
            // Each request's outcomes are recorded as it answers: a chunk of thousands of records
            // must not hold its first results back until its last request has answered.
            const answered = new Map(group.filter((item) => round.has(item)).map((item) => [item, round.get(item)!] as const));
            await record(answered, unit);
            for (const item of answered.keys()) recordedEarly.add(item);
          }
        }),
      );

      await record(new Map([...round].filter(([item]) => !recordedEarly.has(item))), unit);
      pending = pending.filter((item) => !round.has(item));
      if (pending.length === 0) break;
      if (circuitOpen) throw circuitOpen;
      if (signal.aborted) throw new ImpactError('DEPENDENCY_UNAVAILABLE', 'stopping, or the group is rebalancing, before the deliveries finished');
      const delay =
        failed.length === 0
          ? 250 // only leases held elsewhere: look again shortly
          : Math.max(
              ...failed.map((error) => error.retryAfterMs ?? 0),
              backoffDelayMs(Math.max(1, ...pending.map((item) => retriesOf.get(item.key) ?? 0)), deps.backoff),
              settle,
            );
      if (deps.parking) {
        // Records whose next try is past their bound leave the partition, with the rest of their key.
        const parkKeys = new Map<string, ImpactError>();
        for (const [item, error] of failedItems) {
          if (pending.includes(item) && Date.now() + delay > item.parkBy) parkKeys.set(item.orderKey, error);
        }
        if (parkKeys.size > 0) {
          for (const [orderKey, error] of parkKeys) {
            await park(
              pending.filter((item) => item.orderKey === orderKey),
              error.code,
              delay,
              unit,
            );
          }
          pending = pending.filter((item) => !parkKeys.has(item.orderKey));
          if (pending.length === 0) break;
        }
      }
      deps.logger.info(
        { platform, pending: pending.length, codes: [...new Set(failed.map((error) => error.code))], delayMs: delay },
        'batch round left records pending; retrying',
      );
      await waitWithHeartbeat(delay, signal, heartbeat);
    }
  }

  /** One transaction for the round's final outcomes, then (best effort) Redis. */
  async function record(finals: ReadonlyMap<Item, Final>, unit: UnitLeases): Promise<void> {
    if (finals.size === 0) return;
    const completedAt = now().toISOString();
    const byEvent = new Map<string, { item: Item; final: Final }>();
    const results: DeliveryResult[] = [];
    for (const [item, final] of finals) {
      byEvent.set(item.event.eventId, { item, final });
      results.push({
        eventId: item.event.eventId,
        platform,
        tenantId: item.event.tenantId,
        kind: item.event.kind,
        status: final.status,
        attempts: attempts.count(item.key),
        externalRef: final.externalRef,
        errorClass: final.error?.code ?? null,
        errorReason: final.error ? final.error.message.slice(0, 400) : null,
        idempotencyKey: item.key,
        firstAttemptAt: item.firstAttemptAt.toISOString(),
        completedAt,
        ...item.tags,
      });
    }
    // Encoded before the transaction: a registry that cannot be reached fails the round (retried), not the commit.
    const encoded = new Map<string, Buffer>();
    for (const result of results) encoded.set(result.eventId, await deps.resultCodec.encode(result));
    const recorded = await deps.deliveries.recordFinals(results, (result) => {
      const { item, final } = byEvent.get(result.eventId)!;
      const out: OutboundMessage[] = [{ topic: deps.topics.results, key: resultKey(result), value: encoded.get(result.eventId)! }];
      if (result.status !== 'delivered' && final.error) {
        out.push(deps.deadLetters.message(deps.topics.deliverDlq[platform], stage, item.message, final.error));
      }
      return out;
    }, (result) => attempts.history(byEvent.get(result.eventId)!.item.key));
    if (traceKeys) {
      const finals = results.map((result) => `${result.idempotencyKey} ${result.status} ${recorded.has(result.eventId) ? 'new' : 'known'}`);
      deps.logger.debug({ platform, finals }, 'final outcomes recorded');
    }
    for (const result of results) {
      const { item, final } = byEvent.get(result.eventId)!;
      attempts.forget(item.key);
      mustLook.delete(item.key);
      retriesOf.delete(item.key);
      if (recorded.has(result.eventId)) {
        metrics.deliveries.inc({ platform, outcome: final.status });
        metrics.deliverySeconds.observe({ platform }, (Date.now() - item.firstAttemptAt.getTime()) / 1000);
        if (final.status !== 'delivered') metrics.deadLetters.inc({ stage, code: final.error?.code ?? 'unknown' });
      }
      metrics.messagesHandled.inc({ stage });
      unit.held.delete(item.key);
      unit.final(item.message);
      await deps.idempotency
        .complete(
          item.key,
          final.status === 'delivered'
            ? { state: 'succeeded', externalRef: final.externalRef ?? '' }
            : { state: 'failed', reason: final.error?.code ?? final.status },
        )
        .catch((error: unknown) => deps.logger.warn({ err: errorReason(error), platform }, 'idempotency complete failed'));
    }
  }

  /** Marks records whose outcome is unknown in PostgreSQL (best effort: Redis and memory know too). */
  async function markUnsettled(items: readonly Item[]): Promise<void> {
    await deps.deliveries
      .markUnsettled(items.map((item) => item.event.eventId), platform)
      .catch((error: unknown) => deps.logger.warn({ err: errorReason(error), platform }, 'could not mark sends unsettled'));
  }

  /** Parks records of one ordering key, in order (their leases are already released). */
  async function park(
    items: readonly Pick<Item, 'message' | 'event' | 'key' | 'orderKey'>[],
    reason: string,
    delayMs: number,
    unit: UnitLeases,
  ): Promise<void> {
    await deps.parking!.lot.park(
      items.map((item) => ({
        platform,
        eventId: item.event.eventId,
        orderingKey: item.orderKey,
        tenantId: item.event.tenantId,
        message: item.message,
        history: attempts.history(item.key),
        retries: retriesOf.get(item.key) ?? 0,
        reason,
        nextAttemptAt: new Date(Date.now() + delayMs),
      })),
    );
    for (const item of items) {
      attempts.forget(item.key);
      mustLook.delete(item.key);
      retriesOf.delete(item.key);
      metrics.parked.inc({ platform, reason });
      metrics.messagesHandled.inc({ stage });
      unit.final(item.message);
    }
    deps.logger.info({ platform, records: items.length, reason, keys: items.map((item) => item.key) }, 'records parked; their partition goes on');
  }

  function exhausted(item: Item, last: ImpactError): Final {
    return fail('dead_lettered', new ImpactError('ATTEMPTS_EXHAUSTED', `${retriesOf.get(item.key) ?? 0} attempts; last: ${last.code}`));
  }
}

/** Why a record was parked without an attempt of its own: an earlier record of its key is parked. */
const BEHIND_PARKED = 'BEHIND_PARKED';

function fail(status: DeliveryStatus, error: ImpactError): Final {
  return { status, externalRef: null, error };
}

function asImpactError(caught: unknown): ImpactError {
  return isImpactError(caught) ? caught : new ImpactError('OUTCOME_UNKNOWN', errorReason(caught), { cause: caught });
}

/** Items grouped by tenant (one credential each), in message order, cut at `max` per request. */
function byTenant(items: readonly Item[], max: number): Item[][] {
  const tenants = new Map<string, Item[]>();
  for (const item of items) {
    const list = tenants.get(item.event.tenantId) ?? [];
    list.push(item);
    tenants.set(item.event.tenantId, list);
  }
  const groups: Item[][] = [];
  for (const list of tenants.values()) {
    for (let start = 0; start < list.length; start += max) groups.push(list.slice(start, start + max));
  }
  return groups;
}
