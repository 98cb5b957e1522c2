/**
 * `impact-in tenants add|list`: tenant configuration. Credentials are validated against the
 * platform connector's schema, stored encrypted, and never printed (list shows field names only).
 */
import { loadConfig } from '../../config/config.ts';
import { CONNECTORS, availablePlatforms } from '../../connectors/registry.ts';
import { createSecretBox } from '../../crypto/secret-box.ts';
import { createDb } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrator.ts';
import { isPlatform } from '../../domain/platform.ts';
import { TenantRepository } from '../../tenants/tenant-repository.ts';
import { UsageError, parseFlags } from '../usage.ts';

export async function tenantsCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'add' && sub !== 'list') throw new UsageError('tenants: expected "add" or "list"');
  const config = loadConfig();
  const db = createDb(config.database.url, 2);
  try {
    await migrateToLatest(db);
    const repo = new TenantRepository(
      db,
      createSecretBox(new Map([[config.secrets.keyId, config.secrets.key]]), config.secrets.keyId),
    );
    if (sub === 'list') {
      for (const tenant of await repo.list()) {
        const platforms = tenant.platforms.map(
          (p) => `${p.platform}${p.enabled ? '' : ' (disabled)'} [${p.credentialKeys.map((k) => `${k}=****`).join(' ')}]`,
        );
        process.stdout.write(`${tenant.tenantId}\t${tenant.displayName}\t${platforms.join(', ') || '-'}\n`);
      }
      return;
    }
    const { values } = parseFlags(rest, {
      tenant: { type: 'string' },
      name: { type: 'string' },
      platform: { type: 'string' },
      credentials: { type: 'string' },
      disabled: { type: 'boolean', default: false },
    });
    if (!values.tenant) throw new UsageError('tenants add: --tenant is required');
    await repo.upsertTenant(values.tenant, values.name ?? values.tenant);
    if (values.platform === undefined) return;
    const platform = values.platform;
    const factory = isPlatform(platform) ? CONNECTORS[platform] : undefined;
    if (!isPlatform(platform) || !factory) {
      throw new UsageError(`--platform must be one of ${availablePlatforms().join(', ')}, got "${platform}"`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(values.credentials ?? '');
    } catch {
      throw new UsageError('--credentials must be a JSON object');
    }
    const credentials = factory.credentials.safeParse(raw);
    if (!credentials.success) {
      throw new UsageError(
        `--credentials: ${credentials.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    await repo.upsertPlatform(values.tenant, platform, credentials.data, !values.disabled);
    process.stdout.write(`tenant ${values.tenant}: ${platform} configured\n`);
  } finally {
    await db.destroy();
  }
}
