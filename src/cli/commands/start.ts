/** `impact-in start`: runs the service until SIGTERM/SIGINT, then stops cleanly and exits 0. */
import { loadConfig } from '../../config/config.ts';
import { createLogger } from '../../observability/logger.ts';
import { parseRoles } from '../../service/roles.ts';
import { startService } from '../../service/service.ts';
import type { CommandSpec } from '../help.ts';
import { parseFlags } from '../usage.ts';

export const startSpec = {
  name: 'start',
  summary: 'run the service: every role, or the ones --role names, until SIGTERM/SIGINT',
  description: `Applies migrations, creates missing topics, joins each role's consumer group and serves
/healthz, /readyz and /metrics on HTTP_HOST:HTTP_PORT. SIGTERM/SIGINT: consumers stop fetching,
in-flight deliveries finish and are recorded, offsets are committed, the outbox is drained, exit 0.
Exit 2: a bad flag or configuration value (named); exit 1: a failure during start-up or running.`,
  flags: {
    role: {
      type: 'string',
      default: 'all',
      value: 'ROLES',
      description: 'all, or a comma list of redactor, router, deliver:benevity, deliver:goodera, deliver:workday, relay',
    },
  },
  env: ['*'],
  examples: ['impact-in start', 'impact-in start --role redactor,router,relay', 'impact-in start --role deliver:goodera'],
} as const satisfies CommandSpec;

export async function startCommand(args: string[]): Promise<void> {
  const { values } = parseFlags(args, startSpec.flags);
  const roles = parseRoles(values.role);
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const service = await startService(config, roles, logger);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal received');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await service.stop();
  // Everything we own is closed. A handle a client library still holds must not keep a stopped
  // process from exiting: unref'd, this fires only if something else keeps the event loop alive.
  // The one known (found with an async_hooks trace of kafka-restarted-mid-run): after the broker
  // restarted, kafkajs's broker pool drops the old Broker object (removeBroker) without
  // disconnecting it, the consumer group keeps it as its coordinator, and the next heartbeat
  // (ours after each transactional chunk, or kafkajs's own) reconnects it — a socket and its
  // request-timeout interval that consumer.disconnect() never reaches, as the pool no longer
  // lists that broker.
  setTimeout(() => {
    logger.warn({ handles: process.getActiveResourcesInfo() }, 'still holding handles 2 s after stopping; exiting anyway');
    process.exit();
  }, 2_000).unref();
}
