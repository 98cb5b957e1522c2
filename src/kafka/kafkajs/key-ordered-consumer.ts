/**
 * StageConsumer over a kafkajs consumer group with key-ordered concurrency inside each partition
 * (the Confluent Parallel Consumer's key-ordered mode): messages of different keys — the deliver
 * topics are keyed by (tenant, subject) — are handled at once, the messages of one key one at a
 * time in offset order (src/engine/key-scheduler.ts).
 *
 * At-least-once: only the commit watermark is resolved — the last offset below which every
 * message's handler resolved (src/engine/offset-tracker.ts) — and kafkajs commits only resolved
 * offsets, so nothing unfinished is committed. A handler that rejects is retried in place with back-off (its key
 * waits; other keys go on). A failure that pauses the partition (an open breaker), a rebalance or
 * a stop halts the run: nothing more is started, the units running finish or are aborted by their
 * signal, and `eachBatch` returns only then — so kafkajs gives up a revoked partition only after
 * its work is finished or aborted, and the next fetch starts at the watermark.
 *
 * Back-pressure: in-flight units are bounded per partition and per process; `eachBatch` waits for
 * room before it takes the next message, and kafkajs fetches a partition again only after
 * `eachBatch` returned — so a backlog is held in Kafka, not in memory.
 */
import type { Kafka } from 'kafkajs';
import type { BackoffPolicy } from '../../domain/backoff.ts';
import { KeyScheduler } from '../../engine/key-scheduler.ts';
import { OffsetTracker } from '../../engine/offset-tracker.ts';
import { Semaphore } from '../../engine/semaphore.ts';
import type { Logger } from '../../observability/logger.ts';
import type { MessageHandler, StageConsumer } from '../ports.ts';
import { toInbound } from './message.ts';
import { createGroupConsumer, retryInPlace, runGroup, trackMembership, type PauseOptions } from './group-member.ts';

export interface KafkaKeyOrderedConsumerOptions extends PauseOptions {
  readonly groupId: string;
  /** Consumer-group session timeout, ms (default 30 s). */
  readonly sessionTimeoutMs?: number;
  readonly topics: readonly string[];
  /** Partitions handled concurrently by this member. */
  readonly partitionsConsumedConcurrently?: number;
  /** Unfinished messages per partition at most (different keys at once; one key at a time). */
  readonly maxInFlightPerPartition: number;
  /** Unfinished messages over all partitions of this consumer at most. */
  readonly maxInFlight: number;
  /** Back-off between attempts of a message whose handler rejected. */
  readonly retry?: BackoffPolicy;
  readonly fromBeginning?: boolean;
  readonly logger: Logger;
  /** Called with the time each message took, for metrics. */
  readonly onHandled?: (topic: string, seconds: number) => void;
  readonly onHandlerError?: (topic: string, error: unknown) => void;
  /** Told the number of messages in flight over all partitions when it changes, for metrics. */
  readonly onInFlight?: (count: number) => void;
}

/** Keyless messages share one lane: with no key there is no order to spread. */
const NO_KEY = '\u0000';

export function createKafkaKeyOrderedConsumer(kafka: Kafka, options: KafkaKeyOrderedConsumerOptions): StageConsumer {
  const consumer = createGroupConsumer(kafka, options.groupId, options.sessionTimeoutMs);
  const retry = options.retry ?? { baseMs: 200, maxMs: 10_000 };
  const stopping = new AbortController();
  const isHealthy = trackMembership(consumer, options.logger);
  const limiter = new Semaphore(options.maxInFlight);

  return {
    async start(handler: MessageHandler) {
      await runGroup(consumer, options, async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        const tracker = new OffsetTracker(batch.messages.map((message) => message.offset));
        const scheduler = new KeyScheduler({ maxInFlight: options.maxInFlightPerPartition, limiter });
        const gone = () => !payload.isRunning() || payload.isStale() || stopping.signal.aborted;
        const finished = async (index: number) => {
          const committable = tracker.complete(index);
          if (committable === null) return;
          payload.resolveOffset(committable);
          try {
            await payload.commitOffsetsIfNecessary();
            await payload.heartbeat();
          } catch (error) {
            // The group is rebalancing (or the broker blipped): start nothing more in this run;
            // what is resolved is committed by the next commit or on leaving the group.
            options.logger.info({ topic: batch.topic, partition: batch.partition, err: String(error) }, 'commit or heartbeat failed; halting the run');
            scheduler.halt();
          }
        };
        for (let index = 0; index < batch.messages.length; index++) {
          if (gone()) break;
          const raw = batch.messages[index]!;
          const message = toInbound(batch.topic, batch.partition, raw);
          const accepted = await scheduler.submit(raw.key === null ? NO_KEY : raw.key.toString('latin1'), async () => {
            options.onInFlight?.(limiter.inUse);
            const done = await retryInPlace(
              async ({ signal, heartbeat }) => {
                const started = performance.now();
                await handler(message, signal, heartbeat);
                options.onHandled?.(message.topic, (performance.now() - started) / 1000);
              },
              { topic: message.topic, partition: message.partition, offset: message.offset },
              payload,
              { ...options, retry, stopping: stopping.signal, onError: (error) => options.onHandlerError?.(message.topic, error) },
            );
            if (done) await finished(index);
            return done;
          });
          if (accepted === null) break; // halted: paused, revoked or stopping
        }
        // Revocation, pause or stop: the units in hand finish or are aborted before the
        // partition is given up; nothing past the watermark was resolved.
        await scheduler.drain();
        options.onInFlight?.(limiter.inUse);
      });
    },
    async stop() {
      stopping.abort();
      // disconnect() stops fetching, waits for the running eachBatch calls (which drain their
      // units), commits the resolved offsets and leaves the group.
      await consumer.disconnect();
    },
    isHealthy,
  };
}
