/**
 * What the kafkajs delivery consumer (key-ordered-consumer.ts) does with a unit of work: run it
 * until it succeeds, retrying in place with back-off while heartbeating, so a down dependency
 * delays the partition and never skips a message — or, for a failure that means "stop consuming
 * for now" (a platform's circuit breaker is open), pause the partition and resume it at the same
 * offset when the given promise settles. Also the group-membership bookkeeping for health.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchHandler, EachBatchPayload, Kafka } from 'kafkajs';
import { backoffDelayMs, type BackoffPolicy } from '../../domain/backoff.ts';
import { errorReason } from '../../domain/errors.ts';
import type { Logger } from '../../observability/logger.ts';

export interface PauseOptions {
  /**
   * For a failure that means "stop consuming for now": a promise that settles when consuming may
   * go on. The partition is paused — no fetch, no commit past the unit — and resumed from that
   * same unit when it settles.
   */
  readonly pauseOn?: (error: unknown, signal: AbortSignal) => Promise<unknown> | undefined;
  /** Told when a partition is paused (true) or resumed (false) through `pauseOn`. */
  readonly onPause?: (topic: string, partition: number, paused: boolean) => void;
}

export interface RetryInPlace extends PauseOptions {
  readonly retry: BackoffPolicy;
  readonly logger: Logger;
  readonly stopping: AbortSignal;
  readonly onError?: (error: unknown) => void;
}

/** Errors of a heartbeat that mean the group is rebalancing or has dropped this member. */
const MEMBERSHIP_LOST: ReadonlySet<string> = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
  'FENCED_INSTANCE_ID',
]);

/** What a unit of work gets: a signal that fires when it must let go, and a heartbeat. */
export interface UnitScope {
  /** Aborted when the consumer stops, or when the group rebalances or drops this member. */
  readonly signal: AbortSignal;
  /** Keeps the member in its group; a heartbeat answered with a rebalance aborts `signal`. */
  readonly heartbeat: () => Promise<void>;
}

/**
 * The scope of one unit of work (a message). A rebalance waits for every member to
 * finish its current batch and rejoin within the rebalance timeout; a handler sitting in a long
 * back-off would hold it up until the coordinator evicts the member ("coordinator is not aware
 * of this member") and the partition moves mid-delivery — a stall that repeats under load. So a
 * heartbeat that learns of a rebalance aborts the unit: it stops waiting, is left unresolved, and
 * is offered again to whichever member gets the partition (the deliverers' leases and PostgreSQL
 * rows make that safe).
 */
export function unitScope(payload: Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'>, stopping: AbortSignal): UnitScope {
  const leave = new AbortController();
  const signal = AbortSignal.any([stopping, leave.signal]);
  return {
    signal,
    async heartbeat() {
      if (leave.signal.aborted) return;
      if (!payload.isRunning() || payload.isStale()) {
        leave.abort(new Error('partition revoked or consumer stopping'));
        return;
      }
      try {
        await payload.heartbeat();
      } catch (error) {
        const type = (error as { type?: unknown }).type;
        if (typeof type === 'string' && MEMBERSHIP_LOST.has(type)) leave.abort(error);
        // Anything else (a broker blip) is retried by the next heartbeat.
      }
    },
  };
}

/**
 * Runs `work` until it resolves (true) — or returns false when the unit must be left for a later
 * fetch: the consumer is stopping, the group is rebalancing, the partition was revoked or sought,
 * or it was paused.
 */
export async function retryInPlace(
  work: (scope: UnitScope) => Promise<void>,
  where: { readonly topic: string; readonly partition: number; readonly offset: string; readonly count?: number },
  payload: EachBatchPayload,
  options: RetryInPlace,
): Promise<boolean> {
  const scope = unitScope(payload, options.stopping);
  const gone = () => !payload.isRunning() || payload.isStale() || scope.signal.aborted;
  for (let attempt = 1; ; attempt++) {
    try {
      await work(scope);
      return true;
    } catch (error) {
      options.onError?.(error);
      if (gone()) return false;
      const resumeWhen = options.pauseOn?.(error, options.stopping);
      if (resumeWhen) {
        // Leave the unit unresolved: the next fetch after resume starts at it.
        const resume = payload.pause();
        options.onPause?.(where.topic, where.partition, true);
        options.logger.warn({ ...where, err: errorReason(error) }, 'partition paused');
        const resumeOnce = () => {
          if (options.stopping.aborted) return;
          resume();
          options.onPause?.(where.topic, where.partition, false);
          options.logger.info({ topic: where.topic, partition: where.partition }, 'partition resumed');
        };
        resumeWhen.then(resumeOnce, resumeOnce);
        return false;
      }
      const delay = backoffDelayMs(attempt, options.retry);
      options.logger.warn({ ...where, attempt, delayMs: delay, err: errorReason(error) }, 'handler failed; retrying in place');
      // Heartbeat through long back-offs so the group does not evict us while we wait.
      const until = Date.now() + delay;
      while (Date.now() < until && !gone()) {
        await sleep(Math.min(1_000, until - Date.now()), undefined, { signal: scope.signal }).catch(() => undefined);
        await scope.heartbeat();
      }
      if (gone()) return false;
    }
  }
}

/** Whether the member is in its group and has not crashed, from the consumer's events. */
export function trackMembership(consumer: Consumer, logger: Logger): () => boolean {
  let joined = false;
  let crashed = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    crashed = false;
  });
  consumer.on(consumer.events.CRASH, (event) => {
    crashed = true;
    logger.error({ err: errorReason(event.payload.error), restart: event.payload.restart }, 'consumer crashed');
  });
  consumer.on(consumer.events.STOP, () => {
    joined = false;
  });
  return () => joined && !crashed;
}

/**
 * A group member as every stage consumer configures it: read_committed (the redactor and router
 * write in transactions), a session that survives a long handler (heartbeats come from the retry
 * loop), and reconnects retried for ever — a broker blip delays work, never ends the process.
 */
export function createGroupConsumer(kafka: Kafka, groupId: string, sessionTimeoutMs = 30_000): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout: sessionTimeoutMs,
    rebalanceTimeout: 60_000,
    // A tenth of the session: several heartbeats may be lost before the member is.
    heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeoutMs / 10)),
    readUncommitted: false,
    // A short long-poll: a partition resumed after a pause (breaker probe) is fetched again
    // within half a second instead of after kafkajs's default 5 s wait on the others.
    maxWaitTimeInMs: 500,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
}

/**
 * Joins the group and runs `eachBatch` on what it fetches, as both delivery consumers do: offsets
 * resolved by hand (only what is final) and committed by kafkajs at most once a second and on
 * leaving; a topic new to the group is read from its beginning.
 */
export async function runGroup(
  consumer: Consumer,
  options: { readonly topics: readonly string[]; readonly fromBeginning?: boolean; readonly partitionsConsumedConcurrently?: number },
  eachBatch: EachBatchHandler,
): Promise<void> {
  await consumer.connect();
  for (const topic of options.topics) {
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  }
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 1_000,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatch,
  });
}
