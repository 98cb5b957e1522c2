/** The outbox backlog gauges (rows waiting, age of the oldest), read from PostgreSQL at scrape time. */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Metrics } from '../metrics.ts';

export function watchOutbox(metrics: Metrics, db: Db): void {
  metrics.onScrape(async () => {
    const row = await db
      .selectFrom('outbox')
      .select([
        sql<string>`count(*)`.as('waiting'),
        sql<string | null>`extract(epoch from now() - min(created_at))`.as('oldest'),
      ])
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    metrics.outboxBacklog.set(Number(row.waiting));
    metrics.outboxOldestSeconds.set(row.oldest === null ? 0 : Math.max(0, Number(row.oldest)));
  });
}
