/**
 * Tenant configuration in PostgreSQL: which platforms a company reports to, each with its
 * credentials sealed by the SecretBox (the row identity is the associated data).
 */
import { sql } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Db } from '../db/database.ts';
import { ImpactError } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import type { TenantPolicy } from '../redaction/policy/policy.ts';
import { parseTenantPolicy } from '../redaction/policy/tenant-policy.ts';
import { tokenLockKey } from '../tokens/postgres/postgres-token-store.ts';
import type { ResealReport } from '../tokens/token-store.ts';

export interface TenantPlatform {
  readonly tenantId: string;
  readonly platform: Platform;
  readonly enabled: boolean;
  /** Decrypted credentials; each connector parses its own shape. */
  readonly credentials: Readonly<Record<string, unknown>>;
  /** The tenant's tightening of the redaction policy. */
  readonly policy: TenantPolicy;
  /** Id of the secret key that sealed the credentials (rotation shows as it changes). */
  readonly keyId?: string;
}

export interface TenantSummary {
  readonly tenantId: string;
  readonly displayName: string;
  readonly policy: TenantPolicy;
  readonly platforms: readonly PlatformSummary[];
}

/** One platform of a tenant as `list` shows it: field names and key ids, never a value. */
export interface PlatformSummary {
  readonly platform: Platform;
  readonly enabled: boolean;
  /** Credential field names; null when no configured key opens them. */
  readonly credentialKeys: string[] | null;
  /** The key that sealed the credentials. */
  readonly keyId: string;
  /** The stored OAuth token for this platform, if any: the key that sealed it and its expiry. */
  readonly token: { readonly keyId: string; readonly expiresAt: Date } | null;
}

const associatedData = (tenantId: string, platform: string) => `tenant_platforms:${tenantId}:${platform}`;

export class TenantRepository {
  readonly #db: Db;
  readonly #box: SecretBox;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  /**
   * Creates or updates a tenant. The display name (default: the id, for a new tenant) replaces
   * the stored one only when given; so does each key of `policy` (validated), the others stay
   * (setting receipts keeps the deny-list).
   */
  async upsertTenant(tenantId: string, displayName?: string, policy?: Partial<TenantPolicy>): Promise<void> {
    if (policy !== undefined) parseTenantPolicy(policy);
    const given = policy === undefined ? undefined : Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined));
    const policyJson = given === undefined ? undefined : JSON.stringify(given);
    await this.#db
      .insertInto('tenants')
      .values({ tenant_id: tenantId, display_name: displayName ?? tenantId, policy: policyJson })
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({
          ...(displayName === undefined ? {} : { display_name: displayName }),
          ...(policyJson === undefined ? {} : { policy: sql`tenants.policy || ${policyJson}::jsonb` }),
          updated_at: sql`now()`,
        }),
      )
      .execute();
  }

  /** Adds or replaces (rotates) a tenant's credentials for one platform. */
  async upsertPlatform(
    tenantId: string,
    platform: Platform,
    credentials: Record<string, unknown>,
    enabled = true,
  ): Promise<void> {
    const sealed = this.#box.seal(JSON.stringify(credentials), associatedData(tenantId, platform));
    await this.#db
      .insertInto('tenant_platforms')
      .values({
        tenant_id: tenantId,
        platform,
        enabled,
        credentials_ciphertext: sealed.sealed,
        credentials_key_id: sealed.keyId,
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'platform']).doUpdateSet({
          enabled,
          credentials_ciphertext: sealed.sealed,
          credentials_key_id: sealed.keyId,
          updated_at: sql`now()`,
        }),
      )
      .execute();
  }

  /** The tenant's redaction policy tightening (defaults filled in), or null for an unknown tenant. */
  async policyOf(tenantId: string): Promise<TenantPolicy | null> {
    const row = await this.#db.selectFrom('tenants').select('policy').where('tenant_id', '=', tenantId).executeTakeFirst();
    return row === undefined ? null : parseTenantPolicy(row.policy);
  }

  /** The tenant's platform rows with credentials decrypted; an empty list for an unknown tenant. */
  async platformsOf(tenantId: string): Promise<TenantPlatform[]> {
    const rows = await this.#db
      .selectFrom('tenant_platforms')
      .innerJoin('tenants', 'tenants.tenant_id', 'tenant_platforms.tenant_id')
      .select([
        'tenant_platforms.tenant_id',
        'platform',
        'enabled',
        'credentials_ciphertext',
        'credentials_key_id',
        'tenants.policy',
      ])
      .where('tenant_platforms.tenant_id', '=', tenantId)
      .execute();
    return rows.map((row) => ({
      keyId: row.credentials_key_id,
      tenantId: row.tenant_id,
      platform: row.platform as Platform,
      enabled: row.enabled,
      policy: parseTenantPolicy(row.policy),
      credentials: JSON.parse(this.#open(row)) as Record<string, unknown>,
    }));
  }

  /** Opens a row's credentials, or names the row that cannot be opened (the crypto error stays the cause). */
  #open(row: { tenant_id: string; platform: string; credentials_key_id: string; credentials_ciphertext: Buffer }): string {
    try {
      return this.#box.open(
        { keyId: row.credentials_key_id, sealed: row.credentials_ciphertext },
        associatedData(row.tenant_id, row.platform),
      );
    } catch (error) {
      throw new ImpactError(
        'CONFIG_INVALID',
        `the ${row.platform} credentials of tenant ${row.tenant_id} cannot be opened with key ${row.credentials_key_id} ` +
          '(key not configured — after a key rotation it belongs in IMPACT_SECRET_OLD_KEYS — or ciphertext altered)',
        // Retryable: the operator's fix (the key back in the configuration) lets waiting events go on;
        // the router and the deliverers hold them rather than dead-letter them meanwhile.
        { cause: error, retryable: true },
      );
    }
  }

  /**
   * Every tenant, with credential field names only (values never leave this class for listing).
   * Credentials no configured key opens are listed as such rather than failing the whole list.
   */
  async list(): Promise<TenantSummary[]> {
    const tenants = await this.#db.selectFrom('tenants').selectAll().orderBy('tenant_id').execute();
    const rows = await this.#db
      .selectFrom('tenant_platforms')
      .leftJoin('impact_provider_tokens', (join) =>
        join
          .onRef('impact_provider_tokens.company_id', '=', 'tenant_platforms.tenant_id')
          .onRef('impact_provider_tokens.provider', '=', 'tenant_platforms.platform'),
      )
      .select([
        'tenant_platforms.tenant_id',
        'tenant_platforms.platform',
        'tenant_platforms.enabled',
        'tenant_platforms.credentials_ciphertext',
        'tenant_platforms.credentials_key_id',
        'impact_provider_tokens.key_id as token_key_id',
        'impact_provider_tokens.expires_at as token_expires_at',
      ])
      .orderBy('tenant_platforms.platform')
      .execute();
    return tenants.map((tenant) => ({
      tenantId: tenant.tenant_id,
      displayName: tenant.display_name,
      policy: parseTenantPolicy(tenant.policy),
      platforms: rows
        .filter((row) => row.tenant_id === tenant.tenant_id)
        .map((row) => {
          let credentialKeys: string[] | null;
          try {
            credentialKeys = Object.keys(JSON.parse(this.#open(row)) as Record<string, unknown>).sort();
          } catch {
            credentialKeys = null;
          }
          return {
            platform: row.platform as Platform,
            enabled: row.enabled,
            credentialKeys,
            keyId: row.credentials_key_id,
            token:
              row.token_key_id === null || row.token_expires_at === null
                ? null
                : { keyId: row.token_key_id, expiresAt: new Date(row.token_expires_at as unknown as string | Date) },
          };
        }),
    }));
  }

  /**
   * Replaces the credentials of a platform the tenant already reports to (a rotated API key or
   * client secret) and forgets the OAuth token issued under the old ones. Throws if there is none.
   */
  async rotatePlatform(tenantId: string, platform: Platform, credentials: Record<string, unknown>): Promise<void> {
    const sealed = this.#box.seal(JSON.stringify(credentials), associatedData(tenantId, platform));
    await this.#db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('tenant_platforms')
        .set({ credentials_ciphertext: sealed.sealed, credentials_key_id: sealed.keyId, updated_at: sql`now()` })
        .where('tenant_id', '=', tenantId)
        .where('platform', '=', platform)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new Error(`tenant ${tenantId} has no ${platform} configuration to rotate`);
      // Under the token store's refresh lock: a refresh in flight with the old credentials
      // finishes first, and its token is deleted here rather than written after.
      await sql`select pg_advisory_xact_lock(hashtextextended(${tokenLockKey(tenantId, platform)}, 0))`.execute(trx);
      await trx.deleteFrom('impact_provider_tokens').where('company_id', '=', tenantId).where('provider', '=', platform).execute();
    });
  }

  /**
   * Re-seals every tenant's credentials under the current key (after a key rotation). Row by row,
   * each locked while it is re-sealed, so a concurrent `rotate` is never undone. Credentials that
   * do not open are left as they are and named in the report.
   */
  async resealAll(): Promise<ResealReport> {
    const keys = await this.#db.selectFrom('tenant_platforms').select(['tenant_id', 'platform']).execute();
    let resealed = 0;
    const unreadable: string[] = [];
    for (const key of keys) {
      const done = await this.#db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('tenant_platforms')
          .select(['tenant_id', 'platform', 'credentials_ciphertext', 'credentials_key_id'])
          .where('tenant_id', '=', key.tenant_id)
          .where('platform', '=', key.platform)
          .forUpdate()
          .executeTakeFirst();
        if (!row) return 'gone' as const;
        let plaintext: string;
        try {
          plaintext = this.#open(row);
        } catch {
          return 'unreadable' as const;
        }
        const sealed = this.#box.seal(plaintext, associatedData(row.tenant_id, row.platform));
        await trx
          .updateTable('tenant_platforms')
          .set({ credentials_ciphertext: sealed.sealed, credentials_key_id: sealed.keyId, updated_at: sql`now()` })
          .where('tenant_id', '=', row.tenant_id)
          .where('platform', '=', row.platform)
          .execute();
        return 'resealed' as const;
      });
      if (done === 'resealed') resealed++;
      if (done === 'unreadable') unreadable.push(`${key.tenant_id}/${key.platform}`);
    }
    return { resealed, unreadable };
  }
}
