/**
 * impact-in's command line. Each command parses its own flags strictly: an unknown or malformed
 * flag fails at once, naming it. Exit codes: 0 success, 1 failure at run time, 2 bad usage/config.
 */
import { isImpactError } from '../domain/errors.ts';
import { adminCommand } from './commands/admin.ts';
import { demoCommand } from './commands/demo.ts';
import { dlqCommand } from './commands/dlq.ts';
import { migrateCommand } from './commands/migrate.ts';
import { publishCommand } from './commands/publish.ts';
import { replayCommand } from './commands/replay.ts';
import { schemasCommand } from './commands/schemas.ts';
import { startCommand } from './commands/start.ts';
import { tenantsCommand } from './commands/tenants.ts';
import { UsageError } from './usage.ts';

const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<void> }> = {
  start: { summary: 'run the service (all roles, or --role redactor,router,deliver:goodera,relay)', run: startCommand },
  migrate: { summary: 'apply database migrations (--down reverts the last one)', run: migrateCommand },
  publish: { summary: 'publish sample impact events (--count, --rate, --tenant, --malformed)', run: publishCommand },
  tenants: { summary: 'tenant configuration: add | list | rotate | rotate-keys', run: tenantsCommand },
  dlq: { summary: 'dead letters: inspect | redrive --topic T [--code C] [--tenant T] [--event-id ID] [--limit N] [--dry-run]', run: dlqCommand },
  replay: { summary: 'replay a platform window: plan | run | list | status (--platform P --from T --to T [--verify] [--force --reason R])', run: replayCommand },
  schemas: { summary: 'Avro contracts in the schema registry: push | check [--dir D] [--contract C]', run: schemasCommand },
  admin: { summary: 'admin API, Swagger UI and operator page (ADMIN_HOST/ADMIN_PORT): serve | openapi | hash-token', run: adminCommand },
  demo: { summary: 'run the whole pipeline against the local stack and the simulator, with a summary', run: demoCommand },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: impact-in <command> [flags]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`impact-in: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (isImpactError(error) && error.code === 'CONFIG_INVALID')) {
      process.stderr.write(`impact-in ${name}: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`impact-in ${name}: failed: ${message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
