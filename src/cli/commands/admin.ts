/**
 * `impact-in admin [serve]`: the admin API, Swagger UI and operator page on ADMIN_HOST/ADMIN_PORT
 * until SIGTERM/SIGINT. `impact-in admin openapi` prints the OpenAPI document (docs/openapi.json).
 * `impact-in admin hash-token` reads a token on stdin and prints the SHA-256 ADMIN_TOKENS wants.
 */
import { adminOpenApi, startAdmin } from '../../admin/admin.ts';
import { hashToken } from '../../admin/auth.ts';
import { loadAdminConfig, loadConfig } from '../../config/config.ts';
import { createLogger } from '../../observability/logger.ts';
import type { CommandSpec } from '../help.ts';
import { UsageError, parseFlags } from '../usage.ts';

const ADMIN_ENV = ['ADMIN_HOST', 'ADMIN_PORT', 'ADMIN_TOKENS', 'ADMIN_SCRAPE_URLS', 'DATABASE_URL', 'KAFKA_BROKERS', 'TOPIC_PREFIX'];

export const adminSpec = {
  name: 'admin',
  summary: 'the admin API, Swagger UI and operator page on ADMIN_HOST:ADMIN_PORT',
  description: 'Bearer tokens with scopes read/operate, configured as SHA-256 hashes in ADMIN_TOKENS (name:scope:hash).',
  subcommands: [
    { name: 'serve', summary: 'serve until SIGTERM/SIGINT (the default)', env: ADMIN_ENV },
    { name: 'openapi', summary: 'print the OpenAPI 3.1 document (docs/openapi.json)' },
    { name: 'hash-token', summary: 'read a token (16+ characters) on stdin and print the hash ADMIN_TOKENS wants', examples: ['openssl rand -hex 24 | tee token | impact-in admin hash-token'] },
  ],
} as const satisfies CommandSpec;

export async function adminCommand(args: string[]): Promise<void> {
  const [sub = 'serve', ...rest] = args;
  parseFlags(rest, {});
  if (sub === 'openapi') {
    process.stdout.write(`${JSON.stringify(adminOpenApi(), null, 2)}\n`);
    return;
  }
  if (sub === 'hash-token') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const token = Buffer.concat(chunks).toString('utf8').trim();
    if (token.length < 16) throw new UsageError('admin hash-token: give a token of at least 16 characters on stdin');
    process.stdout.write(`${hashToken(token)}\n`);
    return;
  }
  if (sub !== 'serve') throw new UsageError('admin: expected "serve", "openapi" or "hash-token"');
  const config = loadConfig();
  const admin = loadAdminConfig();
  const logger = createLogger(config.logLevel, { role: 'admin' });
  const running = await startAdmin(config, admin, logger);
  logger.info({ adminPort: running.server.port, url: running.server.url }, 'impact-in admin started');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await running.stop();
  logger.info('impact-in admin stopped');
}
