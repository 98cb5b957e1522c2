/**
 * StageConsumer over a kafkajs consumer group.
 *
 * At-least-once by construction: a message's offset is resolved only after its handler resolved,
 * and kafkajs commits only resolved offsets. A handler that rejects is retried in place with
 * back-off (the partition waits; later offsets are never committed past an unhandled one), so a
 * down dependency delays work and never skips it. Handlers send poison messages to a dead-letter
 * topic themselves and resolve; only transient failures reject.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { backoffDelayMs, type BackoffPolicy } from '../../domain/backoff.ts';
import { errorReason } from '../../domain/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { InboundMessage, MessageHandler, StageConsumer } from '../ports.ts';
import { toInbound } from './message.ts';

export interface KafkaStageConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Partitions handled concurrently by this member (order within a partition is kept). */
  readonly partitionsConsumedConcurrently?: number;
  /** Back-off between attempts of a message whose handler rejected. */
  readonly retry?: BackoffPolicy;
  /** Start from the earliest offset when the group has none committed. */
  readonly fromBeginning?: boolean;
  readonly logger: Logger;
  /** Called with the time each message took, for metrics. */
  readonly onHandled?: (topic: string, seconds: number) => void;
  readonly onHandlerError?: (topic: string, error: unknown) => void;
  /**
   * For a handler failure that means "stop consuming for now" (a platform's circuit breaker is
   * open): a promise that settles when consuming may go on. The partition is paused — no fetch,
   * no commit past the message — and resumed from that same message when it settles.
   */
  readonly pauseOn?: (error: unknown, signal: AbortSignal) => Promise<unknown> | undefined;
  /** Told when a partition is paused (true) or resumed (false) through `pauseOn`. */
  readonly onPause?: (topic: string, partition: number, paused: boolean) => void;
}

export function createKafkaStageConsumer(kafka: Kafka, options: KafkaStageConsumerOptions): StageConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 30_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: 3_000,
    // Read only committed transactional writes (the redactor writes transactionally later on).
    readUncommitted: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  const retry = options.retry ?? { baseMs: 200, maxMs: 10_000 };
  const stopping = new AbortController();
  let joined = false;
  let crashed = false;

  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    crashed = false;
  });
  consumer.on(consumer.events.CRASH, (event) => {
    crashed = true;
    options.logger.error({ err: errorReason(event.payload.error), restart: event.payload.restart }, 'consumer crashed');
  });
  consumer.on(consumer.events.STOP, () => {
    joined = false;
  });

  async function handleUntilDone(handler: MessageHandler, message: InboundMessage, payload: EachBatchPayload) {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await handler(message, stopping.signal);
        options.onHandled?.(message.topic, (performance.now() - started) / 1000);
        return true;
      } catch (error) {
        options.onHandlerError?.(message.topic, error);
        if (!payload.isRunning() || payload.isStale()) return false;
        const resumeWhen = options.pauseOn?.(error, stopping.signal);
        if (resumeWhen) {
          // Leave the batch unresolved: the next fetch after resume starts at this message.
          const resume = payload.pause();
          options.onPause?.(message.topic, message.partition, true);
          options.logger.warn({ topic: message.topic, partition: message.partition, err: errorReason(error) }, 'partition paused');
          const resumeOnce = () => {
            if (stopping.signal.aborted) return;
            resume();
            options.onPause?.(message.topic, message.partition, false);
            options.logger.info({ topic: message.topic, partition: message.partition }, 'partition resumed');
          };
          resumeWhen.then(resumeOnce, resumeOnce);
          return false;
        }
        const delay = backoffDelayMs(attempt, retry);
        options.logger.warn(
          { topic: message.topic, partition: message.partition, offset: message.offset, attempt, delayMs: delay, err: errorReason(error) },
          'handler failed; retrying the message in place',
        );
        // Heartbeat through long back-offs so the group does not evict us while we wait.
        const until = Date.now() + delay;
        while (Date.now() < until && payload.isRunning() && !payload.isStale()) {
          await sleep(Math.min(1_000, until - Date.now()), undefined, { signal: stopping.signal }).catch(() => undefined);
          await payload.heartbeat().catch(() => undefined);
          if (stopping.signal.aborted) return false;
        }
        if (!payload.isRunning() || payload.isStale()) return false;
      }
    }
  }

  return {
    async start(handler: MessageHandler) {
      await consumer.connect();
      for (const topic of options.topics) {
        await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
      }
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          for (const raw of batch.messages) {
            if (!payload.isRunning() || payload.isStale()) break;
            const done = await handleUntilDone(handler, toInbound(batch.topic, batch.partition, raw), payload);
            if (!done) break;
            payload.resolveOffset(raw.offset);
            await payload.commitOffsetsIfNecessary();
            await payload.heartbeat();
          }
        },
      });
    },
    async stop() {
      stopping.abort();
      // disconnect() stops fetching, waits for the running batch to return, commits the resolved
      // offsets and leaves the group.
      await consumer.disconnect();
    },
    isHealthy: () => joined && !crashed,
  };
}
