/**
 * `impact-in tenants add|list|rotate|rotate-keys`: tenant configuration. Credentials are validated
 * against the platform connector's schema, stored encrypted, and never printed (list shows field
 * names only, and the id of the key that sealed them).
 *
 * - `rotate --tenant T --platform P --credentials JSON`: new credentials for a platform the tenant
 *   already reports to; the OAuth token issued under the old ones is dropped.
 * - `rotate-keys`: after IMPACT_SECRET_KEY changed (the old key moved to IMPACT_SECRET_OLD_KEYS),
 *   re-seals every credential and stored OAuth token under the current key.
 */
import { loadConfig } from '../../config/config.ts';
import { CONNECTORS, availablePlatforms } from '../../connectors/registry.ts';
import { createSecretBox } from '../../crypto/secret-box.ts';
import { createDb } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrator.ts';
import { isPlatform } from '../../domain/platform.ts';
import { TenantRepository } from '../../tenants/tenant-repository.ts';
import { createPostgresTokenStore } from '../../tokens/postgres/postgres-token-store.ts';
import { UsageError, parseFlags } from '../usage.ts';

export async function tenantsCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'add' && sub !== 'list' && sub !== 'rotate' && sub !== 'rotate-keys') {
    throw new UsageError('tenants: expected "add", "list", "rotate" or "rotate-keys"');
  }
  const config = loadConfig();
  const db = createDb(config.database.url, 2);
  try {
    await migrateToLatest(db);
    const box = createSecretBox(config.secrets.keys, config.secrets.keyId);
    const repo = new TenantRepository(db, box);
    if (sub === 'rotate-keys') {
      if (rest.length > 0) throw new UsageError(`tenants rotate-keys takes no arguments, got "${rest.join(' ')}"`);
      const credentials = await repo.resealAll();
      const tokens = await createPostgresTokenStore(db, box, { refreshMarginMs: 0 }).reseal();
      process.stdout.write(`re-sealed under key ${config.secrets.keyId}: ${credentials} credentials, ${tokens} OAuth tokens\n`);
      return;
    }
    if (sub === 'list') {
      for (const tenant of await repo.list()) {
        const platforms = tenant.platforms.map(
          (p) => `${p.platform}${p.enabled ? '' : ' (disabled)'} [${p.credentialKeys.map((k) => `${k}=****`).join(' ')}] key=${p.keyId}`,
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
    if (!values.tenant) throw new UsageError(`tenants ${sub}: --tenant is required`);
    if (sub === 'rotate' && (values.platform === undefined || values.credentials === undefined)) {
      throw new UsageError('tenants rotate: --platform and --credentials are required');
    }
    if (sub === 'add') await repo.upsertTenant(values.tenant, values.name, policyFlags(values));
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
    if (sub === 'rotate') {
      try {
        await repo.rotatePlatform(values.tenant, platform, credentials.data);
      } catch (error) {
        throw new UsageError(`tenants rotate: ${(error as Error).message}`);
      }
      process.stdout.write(`tenant ${values.tenant}: ${platform} credentials rotated\n`);
      return;
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
