/**
 * `impact-in admin`: the admin API and operator page as their own process (role), with what they
 * operate on — PostgreSQL, Kafka, the dead-letter topics read into memory (headers shown; payloads
 * stay sealed until a redrive re-publishes them), the tenants, and replays started from the API.
 */
import type { AdminConfig, Config } from '../config/config.ts';
import { createDispatcher } from '../http/dispatcher.ts';
import { createLagReader } from '../kafka/kafkajs/group-offsets.ts';
import { tailTopics } from '../kafka/kafkajs/topic-tail.ts';
import type { Logger } from '../observability/logger.ts';
import { openOperatorContext } from '../operator/context.ts';
import { TenantRepository } from '../tenants/tenant-repository.ts';
import { startAdminServer, type AdminServer } from './admin-server.ts';
import { openApiDocument } from './openapi.ts';
import { createReplayRunner } from './replay-runner.ts';
import { adminRoutes, type AdminDeps } from './routes.ts';

export interface RunningAdmin {
  readonly server: AdminServer;
  stop(): Promise<void>;
}

export async function startAdmin(config: Config, admin: AdminConfig, logger: Logger): Promise<RunningAdmin> {
  const ctx = await openOperatorContext(config, logger, 'admin');
  const lag = await createLagReader(ctx.kafka);
  const dispatcher = createDispatcher(config.http);
  const { topics } = ctx;
  const tail = await tailTopics(ctx.kafka, [topics.eventsDlq, topics.redactedDlq, ...Object.values(topics.deliverDlq)], `${config.kafka.topicPrefix}impact-in.admin.dlq`);
  const replays = createReplayRunner(ctx, logger);
  const deps: AdminDeps = {
    ctx,
    lag,
    dispatcher,
    scrapeUrls: admin.scrapeUrls,
    deadLetters: (topic) => tail.messages(topic),
    tenants: new TenantRepository(ctx.db, ctx.box),
    replays,
    logger,
  };
  const server = await startAdminServer({ host: admin.host, port: admin.port, tokens: admin.tokens, routes: adminRoutes(() => deps), db: ctx.db, logger });
  if (admin.tokens.length === 0) logger.warn('ADMIN_TOKENS is empty: every API call answers 401 (the page and /docs still load)');
  return {
    server,
    async stop() {
      await server.close();
      await replays.stopAll();
      await tail.stop().catch(() => undefined);
      await lag.close().catch(() => undefined);
      await dispatcher.close();
      await ctx.close();
    },
  };
}

/** The OpenAPI document, from the route catalogue alone (no service needed): docs/openapi.json. */
export function adminOpenApi(): Record<string, unknown> {
  return openApiDocument(
    adminRoutes(() => {
      throw new Error('the route catalogue has no running service');
    }),
  );
}
