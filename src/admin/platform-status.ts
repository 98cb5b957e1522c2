/**
 * Each platform at a glance: consumer lag per partition (Kafka), parked count, dead-letter depth
 * and last delivery (PostgreSQL, Kafka), and the breaker, rate-limit and pause state the
 * deliverers export on /metrics (scraped from ADMIN_SCRAPE_URLS; `unknown` without them).
 */
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { availablePlatforms } from '../connectors/registry.ts';
import type { Db } from '../db/database.ts';
import type { Platform } from '../domain/platform.ts';
import type { LagReader } from '../kafka/kafkajs/group-offsets.ts';
import { groupNames, type Topics } from '../kafka/topics.ts';
import type { z } from 'zod';
import type { platformStatusSchema } from './schemas.ts';

type PlatformStatus = z.input<typeof platformStatusSchema>;

export interface PlatformStatusDeps {
  readonly db: Db;
  readonly lag: LagReader;
  readonly topics: Topics;
  readonly topicPrefix: string;
  readonly scrapeUrls: readonly string[];
  readonly dispatcher: Dispatcher;
}

/** Sums of a metric's samples by platform label, over every scraped deliverer. */
async function scrape(deps: PlatformStatusDeps): Promise<string[]> {
  const texts = await Promise.all(
    deps.scrapeUrls.map(async (url) => {
      try {
        const response = await request(url, { dispatcher: deps.dispatcher, headersTimeout: 2_000, bodyTimeout: 2_000 });
        return response.statusCode === 200 ? await response.body.text() : (await response.body.dump(), '');
      } catch {
        return '';
      }
    }),
  );
  return texts.filter(Boolean);
}

function sample(texts: readonly string[], metric: string, labels: string): number[] {
  const pattern = new RegExp(`^${metric}\\{([^}]*)\\} ([0-9.eE+-]+)$`, 'gm');
  const values: number[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(pattern)) if (match[1]!.includes(labels)) values.push(Number(match[2]));
  }
  return values;
}

export async function platformStatuses(deps: PlatformStatusDeps): Promise<PlatformStatus[]> {
  const groups = groupNames(deps.topicPrefix);
  const texts = await scrape(deps);
  const platforms = availablePlatforms();
  const parked = new Map(
    (await deps.db.selectFrom('parked_deliveries').select((eb) => ['platform', eb.fn.countAll<string>().as('n')]).groupBy('platform').execute()).map((r) => [r.platform, Number(r.n)]),
  );
  const last = new Map(
    (
      await deps.db
        .selectFrom('impact_deliveries')
        .select((eb) => ['platform', eb.fn.max('completed_at').as('at')])
        .where('status', '=', 'delivered')
        .groupBy('platform')
        .execute()
    ).map((r) => [r.platform, r.at as Date | null]),
  );
  return Promise.all(
    platforms.map(async (platform: Platform): Promise<PlatformStatus> => {
      const lag = await deps.lag.lag(groups.deliver[platform], deps.topics.deliver[platform]);
      const breaker = sample(texts, 'impactin_breaker_state', `platform="${platform}"`);
      const degraded = sample(texts, 'impactin_degraded', 'component="rate_limiter"');
      const waits = sample(texts, 'impactin_rate_limit_wait_seconds_sum', `platform="${platform}"`);
      const paused = sample(texts, 'impactin_paused_partitions', `stage="deliver.${platform}"`);
      const worst = breaker.length === 0 ? null : Math.max(...breaker);
      const at = last.get(platform);
      return {
        platform,
        group: groups.deliver[platform],
        topic: deps.topics.deliver[platform],
        lag,
        totalLag: lag.reduce((sum, p) => sum + p.lag, 0),
        breaker: worst === null ? 'unknown' : worst >= 2 ? 'open' : worst >= 1 ? 'half_open' : 'closed',
        rateLimit: {
          degraded: degraded.length === 0 ? null : degraded.some((v) => v > 0),
          waitSecondsTotal: waits.length === 0 ? null : waits.reduce((a, b) => a + b, 0),
        },
        pausedPartitions: paused.length === 0 ? null : paused.reduce((a, b) => a + b, 0),
        parked: parked.get(platform) ?? 0,
        deadLetterDepth: await deps.lag.depth(deps.topics.deliverDlq[platform]),
        lastDeliveryAt: at ? new Date(at).toISOString() : null,
      };
    }),
  );
}
