/**
 * BatchStageConsumer over a kafkajs consumer group: each fetched partition batch is cut into
 * chunks of at most `maxChunk` consecutive messages, handed to the handler together. Same
 * at-least-once rules as the per-message consumer (key-ordered-consumer.ts): a chunk's last
 * offset is resolved only after its handler resolved; a rejecting handler is retried in place with back-off, the
 * partition waiting (later offsets are never committed past an unfinished chunk). Messages the
 * handler reports final before the chunk is move the chunk's watermark (the offset below which
 * every message is final, src/engine/offset-tracker.ts): a chunk left unfinished by a stop or a
 * rebalance still has that much committed.
 */
import type { Kafka } from 'kafkajs';
import type { BackoffPolicy } from '../../domain/backoff.ts';
import type { Logger } from '../../observability/logger.ts';
import { OffsetTracker } from '../../engine/offset-tracker.ts';
import type { BatchHandler, BatchStageConsumer, InboundMessage } from '../ports.ts';
import { toInbound } from './message.ts';
import { createGroupConsumer, retryInPlace, runGroup, trackMembership, type PauseOptions } from './group-member.ts';

export interface KafkaBatchConsumerOptions extends PauseOptions {
  readonly groupId: string;
  /** Consumer-group session timeout, ms (default 30 s). */
  readonly sessionTimeoutMs?: number;
  readonly topics: readonly string[];
  /** Messages per handler call at most. */
  readonly maxChunk: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly retry?: BackoffPolicy;
  readonly fromBeginning?: boolean;
  readonly logger: Logger;
  /** Called with the time a chunk took and its size, for metrics. */
  readonly onHandled?: (topic: string, seconds: number, count: number) => void;
  readonly onHandlerError?: (topic: string, error: unknown) => void;
}

export function createKafkaBatchConsumer(kafka: Kafka, options: KafkaBatchConsumerOptions): BatchStageConsumer {
  if (!Number.isInteger(options.maxChunk) || options.maxChunk < 1) throw new Error('maxChunk must be an integer ≥ 1');
  // A fetch large enough to fill a chunk: kafkajs's 1 MB per partition holds a few hundred events,
  // and the batches cut from a chunk are only as full as the chunk is large.
  const consumer = createGroupConsumer(kafka, options.groupId, options.sessionTimeoutMs, { maxBytesPerPartition: 8 * 1024 * 1024 });
  const retry = options.retry ?? { baseMs: 200, maxMs: 10_000 };
  const stopping = new AbortController();
  const isHealthy = trackMembership(consumer, options.logger);

  return {
    async start(handler: BatchHandler) {
      await runGroup(consumer, options, async (payload) => {
        const { batch } = payload;
        for (let start = 0; start < batch.messages.length; start += options.maxChunk) {
          if (!payload.isRunning() || payload.isStale()) break;
          const raw = batch.messages.slice(start, start + options.maxChunk);
          const chunk = raw.map((message) => toInbound(batch.topic, batch.partition, message));
          const first = chunk[0]!;
          const tracker = new OffsetTracker(chunk.map((message) => message.offset));
          const indexOf = new Map(chunk.map((message, index) => [message.offset, index]));
          const final = (message: InboundMessage) => {
            const index = indexOf.get(message.offset);
            if (index === undefined || message.partition !== first.partition) return;
            const committable = tracker.complete(index);
            // Not once the partition was revoked or sought: its offsets are no longer ours to move.
            if (committable !== null && !payload.isStale()) payload.resolveOffset(committable);
          };
          const done = await retryInPlace(
            async ({ signal, heartbeat }) => {
              const started = performance.now();
              await handler(chunk, signal, heartbeat, final);
              options.onHandled?.(first.topic, (performance.now() - started) / 1000, chunk.length);
            },
            { topic: first.topic, partition: first.partition, offset: first.offset, count: chunk.length },
            payload,
            { ...options, retry, stopping: stopping.signal, onError: (error) => options.onHandlerError?.(first.topic, error) },
          );
          if (!done) break;
          payload.resolveOffset(raw[raw.length - 1]!.offset);
          await payload.commitOffsetsIfNecessary();
          await payload.heartbeat();
        }
      });
    },
    async stop() {
      stopping.abort();
      await consumer.disconnect();
    },
    isHealthy,
  };
}
