/** `impact-in start`: runs the service until SIGTERM/SIGINT, then stops cleanly and exits 0. */
import { loadConfig } from '../../config/config.ts';
import { createLogger } from '../../observability/logger.ts';
import { parseRoles } from '../../service/roles.ts';
import { startService } from '../../service/service.ts';
import { parseFlags } from '../usage.ts';

export async function startCommand(args: string[]): Promise<void> {
  const { values } = parseFlags(args, { role: { type: 'string', default: 'all' } });
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
  // Everything we own is closed. A handle a client library still holds (kafkajs keeps one after
  // its broker restarted under it) must not keep a stopped process from exiting: unref'd, this
  // fires only if something else keeps the event loop alive.
  setTimeout(() => process.exit(), 2_000).unref();
}
