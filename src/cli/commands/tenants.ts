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
      createSecretBox(config.secrets.keys, config.secrets.keyId),
    );
    if (sub === 'list') {
      for (const tenant of await repo.list()) {
        const platforms = tenant.platforms.map(
          (p) => `${p.platform}${p.enabled ? '' : ' (disabled)'} [${p.credentialKeys.map((k) => `${k}=****`).join(' ')}]`,
        );
        const policy = `receipts=${tenant.policy.donationReceipts ? 'on' : 'off'} free-text=${tenant.policy.freeText}`;
        process.stdout.write(`${tenant.tenantId}\t${tenant.displayName}\t${policy}\t${platforms.join(', ') || '-'}\n`);
      }
      return;
    }
    const { values } = parseFlags(rest, {
      tenant: { type: 'string' },
      name: { type: 'string' },
      platform: { type: 'string' },
      credentials: { type: 'string' },
      disabled: { type: 'boolean', default: false },
      'donation-receipts': { type: 'string' },
      'free-text': { type: 'string' },
    });
    if (!values.tenant) throw new UsageError('tenants add: --tenant is required');
    await repo.upsertTenant(values.tenant, values.name ?? values.tenant, policyFlags(values));
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

/** The tenant policy flags, validated; undefined when none was given (the stored policy stays). */
function policyFlags(values: { 'donation-receipts'?: string; 'free-text'?: string }) {
  const receipts = values['donation-receipts'];
  const freeText = values['free-text'];
  if (receipts === undefined && freeText === undefined) return undefined;
  if (receipts !== undefined && receipts !== 'on' && receipts !== 'off') {
    throw new UsageError(`--donation-receipts must be on or off, got "${receipts}"`);
  }
  if (freeText !== undefined && freeText !== 'scrubbed' && freeText !== 'none') {
    throw new UsageError(`--free-text must be scrubbed or none, got "${freeText}"`);
  }
  return {
    ...(receipts === undefined ? {} : { donationReceipts: receipts === 'on' }),
    ...(freeText === undefined ? {} : { freeText }),
  } as { donationReceipts?: boolean; freeText?: 'scrubbed' | 'none' };
}
