/**
 * The outbox relay: publishes unpublished outbox rows to Kafka, then marks them published.
 *
 * Rows are claimed with FOR UPDATE SKIP LOCKED inside a transaction that stays open while the
 * producer waits for acks=all; the rows are marked published in that same transaction. A crash
 * after the send and before the commit re-publishes those rows (at least once) — consumers
 * de-duplicate by message key (`eventId:platform`). Several relays can run: SKIP LOCKED gives
 * each its own rows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { pgConnectionOptions, type DatabaseConnection, type Db } from '../db/database.ts';
import { errorReason } from '../domain/errors.ts';
import type { MessageSink } from '../kafka/ports.ts';
import type { Logger } from '../observability/logger.ts';
import { OUTBOX_CHANNEL } from './outbox.ts';

export interface OutboxRelayOptions {
  readonly db: Db;
  /** Where the LISTEN connection goes: DATABASE_URL, or the database config (with its TLS options). */
  readonly databaseUrl: DatabaseConnection;
  readonly sink: MessageSink;
  readonly logger: Logger;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  /** Published rows older than this are deleted. */
  readonly retainPublishedMs?: number;
  readonly onPublished?: (count: number) => void;
  readonly onError?: (error: unknown) => void;
}

export interface OutboxRelay {
  start(): void;
  stop(): Promise<void>;
  /** Publishes one batch; returns how many rows it published. Exposed for tests and draining. */
  publishBatch(): Promise<number>;
  isHealthy(): boolean;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, sink, logger } = options;
  const retainMs = options.retainPublishedMs ?? 24 * 3600 * 1000;
  const stopping = new AbortController();
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let listener: pg.Client | undefined;
  let healthy = true;
  let lastCleanup = 0;

  async function publishBatch(): Promise<number> {
    return db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom('outbox')
        .select(['id', 'topic', 'message_key', 'payload', 'headers'])
        .where('published_at', 'is', null)
        .orderBy('id')
        .limit(options.batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      await sink.send(
        rows.map((row) => ({ topic: row.topic, key: row.message_key, value: row.payload, headers: row.headers })),
      );
      await tx
        .updateTable('outbox')
        .set({ published_at: sql`now()` })
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
      return rows.length;
    });
  }

  async function listen(): Promise<void> {
    try {
      const client = new pg.Client({ ...pgConnectionOptions(options.databaseUrl), application_name: 'impact-in-outbox' });
      client.on('error', () => {
        listener = undefined;
      });
      client.on('notification', () => wake?.());
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      listener = client;
    } catch (error) {
      // Polling still publishes everything; LISTEN only lowers latency. Retry on the next loop.
      logger.debug({ err: errorReason(error) }, 'outbox LISTEN unavailable; polling only');
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      if (!listener) await listen();
      try {
        const published = await publishBatch();
        healthy = true;
        failures = 0;
        if (published > 0) {
          options.onPublished?.(published);
          continue; // more may be waiting
        }
        if (Date.now() - lastCleanup > 60_000) {
          lastCleanup = Date.now();
          await db
            .deleteFrom('outbox')
            .where('published_at', '<', new Date(Date.now() - retainMs))
            .execute();
        }
      } catch (error) {
        failures++;
        healthy = failures < 5;
        options.onError?.(error);
        logger.warn({ err: errorReason(error), failures }, 'outbox relay failed; rows stay pending and are retried');
      }
      const idle = new Promise<void>((resolve) => {
        wake = resolve;
      });
      await Promise.race([
        idle,
        sleep(options.pollIntervalMs * Math.min(2 ** failures, 40), undefined, { signal: stopping.signal }).catch(
          () => undefined,
        ),
      ]);
      wake = undefined;
    }
  }

  return {
    start() {
      loop ??= run();
    },
    async stop() {
      stopping.abort();
      wake?.();
      await loop;
      await listener?.end().catch(() => undefined);
    },
    publishBatch,
    isHealthy: () => healthy,
  };
}
