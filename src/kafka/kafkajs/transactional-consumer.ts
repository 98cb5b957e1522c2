/**
 * TransformConsumer: consume → transform → produce with Kafka transactions (exactly once for
 * read_committed readers).
 *
 * One transactional producer per input partition (transactional id `<group>.<topic>.<partition>`):
 * whichever member owns the partition after a rebalance initialises the same transactional id,
 * which fences the previous owner's producer — a zombie can neither commit output nor move the
 * offsets. Each chunk of a batch is one transaction holding its output messages AND the consumer
 * offsets (`sendOffsets`), so output and progress commit together or not at all. A failed
 * transaction is aborted and the chunk transformed again after a back-off; nothing is skipped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { backoffDelayMs, type BackoffPolicy } from '../../domain/backoff.ts';
import { errorReason } from '../../domain/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { BatchTransform, TransformConsumer } from '../ports.ts';
import { byTopic, toInbound } from './message.ts';
import { unitScope } from './group-member.ts';

export interface TransactionalConsumerOptions {
  readonly groupId: string;
  /** Consumer-group session timeout, ms (default 30 s). */
  readonly sessionTimeoutMs?: number;
  readonly topic: string;
  /** Messages per transaction (a fetched batch is split into chunks of at most this many). */
  readonly maxChunk?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly retry?: BackoffPolicy;
  readonly logger: Logger;
  readonly onCommitted?: (messages: number, seconds: number) => void;
  readonly onError?: (error: unknown) => void;
}

export function createTransactionalConsumer(kafka: Kafka, options: TransactionalConsumerOptions): TransformConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 10)),
    readUncommitted: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  const producers = new Map<number, Promise<Producer>>();
  const retry = options.retry ?? { baseMs: 200, maxMs: 10_000 };
  const maxChunk = options.maxChunk ?? 500;
  const stopping = new AbortController();
  let joined = false;
  let crashed = false;

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    joined = true;
    crashed = false;
    // Release the producers of partitions this member no longer owns.
    const owned = new Set(event.payload.memberAssignment[options.topic] ?? []);
    for (const [partition, producer] of producers) {
      if (owned.has(partition)) continue;
      producers.delete(partition);
      void producer.then((p) => p.disconnect()).catch(() => undefined);
    }
  });
  consumer.on(consumer.events.CRASH, (event) => {
    crashed = true;
    options.logger.error({ err: errorReason(event.payload.error) }, 'transactional consumer crashed');
  });
  consumer.on(consumer.events.STOP, () => {
    joined = false;
  });
  // Commit markers (the control records a transactional producer upstream writes after each
  // transaction) take offsets but are no messages. A chunk's transaction commits the offset after
  // its last *data* record, so a marker behind it would read as lag 1 for ever on an idle
  // partition. Committing past trailing control records changes no output (they have none):
  // after a batch whose fetch ended in them, and for a fetch that held nothing else (kafkajs
  // resolves that one itself but, autoCommit being off, never commits it; no eachBatch sees it).
  async function commitPastControlRecords(topic: string, partition: number, lastOffset: string): Promise<void> {
    const offset = (BigInt(lastOffset) + 1n).toString();
    await consumer
      .commitOffsets([{ topic, partition, offset }])
      .catch((error: unknown) => options.logger.debug({ err: errorReason(error), topic, partition }, 'commit past control records failed; the next one retries'));
  }
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize === 0 && joined) void commitPastControlRecords(payload.topic, payload.partition, payload.lastOffset);
  });

  function producerFor(partition: number): Promise<Producer> {
    let producer = producers.get(partition);
    if (!producer) {
      const created = kafka.producer({
        transactionalId: `${options.groupId}.${options.topic}.${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
        // Chosen explicitly (kafkajs warns when it is not): Java-compatible murmur2, the same
        // partitioner as the idempotent sink, so a key's partition does not depend on the stage.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer = created.connect().then(() => created);
      producers.set(partition, producer);
      producer.catch(() => producers.delete(partition));
    }
    return producer;
  }

  async function commitChunk(transform: BatchTransform, payload: EachBatchPayload, start: number, end: number) {
    const { batch } = payload;
    const chunk = batch.messages.slice(start, end);
    const inbound = chunk.map((m) => toInbound(batch.topic, batch.partition, m));
    const last = chunk[chunk.length - 1]!;
    // Aborted by a rebalance learnt from a heartbeat: the chunk is left for the next owner.
    const scope = unitScope(payload, stopping.signal);
    for (let attempt = 1; ; attempt++) {
      if (!payload.isRunning() || payload.isStale() || scope.signal.aborted) return false;
      const started = performance.now();
      let transaction: Awaited<ReturnType<Producer['transaction']>> | undefined;
      try {
        const output = await transform(inbound, scope.signal);
        const producer = await producerFor(batch.partition);
        transaction = await producer.transaction();
        if (output.length > 0) await transaction.sendBatch({ acks: -1, topicMessages: byTopic(output) });
        await transaction.sendOffsets({
          consumerGroupId: options.groupId,
          topics: [
            { topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] },
          ],
        });
        await transaction.commit();
        payload.resolveOffset(last.offset);
        options.onCommitted?.(chunk.length, (performance.now() - started) / 1000);
        return true;
      } catch (error) {
        options.onError?.(error);
        await transaction?.abort().catch(() => undefined);
        // A fenced or broken producer is not reused: the next attempt initialises a fresh one.
        const broken = producers.get(batch.partition);
        producers.delete(batch.partition);
        void broken?.then((p) => p.disconnect()).catch(() => undefined);
        const delay = backoffDelayMs(attempt, retry);
        options.logger.warn(
          { topic: batch.topic, partition: batch.partition, firstOffset: chunk[0]!.offset, attempt, delayMs: delay, err: errorReason(error) },
          'transaction failed; aborted, transforming the chunk again',
        );
        await sleep(delay, undefined, { signal: scope.signal }).catch(() => undefined);
        await scope.heartbeat();
      }
    }
  }

  return {
    async start(transform) {
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await consumer.run({
        // Offsets are committed inside the transactions, never by the consumer itself.
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const total = batch.messages.length;
          for (let start = 0; start < total; start += maxChunk) {
            if (!(await commitChunk(transform, payload, start, Math.min(total, start + maxChunk)))) return;
            await payload.heartbeat();
          }
          const lastData = batch.messages[total - 1]?.offset;
          if (lastData !== undefined && BigInt(batch.lastOffset()) > BigInt(lastData)) {
            await commitPastControlRecords(batch.topic, batch.partition, batch.lastOffset());
          }
        },
      });
    },
    async stop() {
      stopping.abort();
      await consumer.disconnect();
      const all = [...producers.values()];
      producers.clear();
      await Promise.allSettled(all.map((p) => p.then((producer) => producer.disconnect())));
    },
    isHealthy: () => joined && !crashed,
  };
}
