/**
 * StageConsumer over a kafkajs consumer group.
 *
 * At-least-once by construction: a message's offset is resolved only after its handler resolved,
 * and kafkajs commits only resolved offsets. A handler that rejects is retried in place with
 * back-off (the partition waits; later offsets are never committed past an unhandled one), so a
 * down dependency delays work and never skips it. Handlers send poison messages to a dead-letter
 * topic themselves and resolve; only transient failures reject.
 */
import type { Kafka } from 'kafkajs';
import type { BackoffPolicy } from '../../domain/backoff.ts';
import type { Logger } from '../../observability/logger.ts';
import type { MessageHandler, StageConsumer } from '../ports.ts';
import { toInbound } from './message.ts';
import { createGroupConsumer, retryInPlace, trackMembership, type PauseOptions } from './group-member.ts';

export interface KafkaStageConsumerOptions extends PauseOptions {
  readonly groupId: string;
  /** Consumer-group session timeout, ms (default 30 s). */
  readonly sessionTimeoutMs?: number;
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
}

export function createKafkaStageConsumer(kafka: Kafka, options: KafkaStageConsumerOptions): StageConsumer {
  const consumer = createGroupConsumer(kafka, options.groupId, options.sessionTimeoutMs);
  const retry = options.retry ?? { baseMs: 200, maxMs: 10_000 };
  const stopping = new AbortController();
  const isHealthy = trackMembership(consumer, options.logger);

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
            const message = toInbound(batch.topic, batch.partition, raw);
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
    isHealthy,
  };
}
