/**
 * Tenant configuration in PostgreSQL: which platforms a company reports to, each with its
 * credentials sealed by the SecretBox (the row identity is the associated data).
 */
import { sql } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Db } from '../db/database.ts';
import type { Platform } from '../domain/platform.ts';
import type { TenantPolicy } from '../redaction/policy/policy.ts';
import { parseTenantPolicy } from '../redaction/policy/tenant-policy.ts';

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
  readonly platforms: readonly { platform: Platform; enabled: boolean; credentialKeys: string[]; keyId: string }[];
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
   * Creates or updates a tenant. The display name (default: the id, for a new tenant) and the
   * `policy` (validated) replace the stored ones only when given.
   */
  async upsertTenant(tenantId: string, displayName?: string, policy?: Partial<TenantPolicy>): Promise<void> {
    const policyJson = policy === undefined ? undefined : JSON.stringify(parseTenantPolicy(policy));
    await this.#db
      .insertInto('tenants')
      .values({ tenant_id: tenantId, display_name: displayName ?? tenantId, policy: policyJson })
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({
          ...(displayName === undefined ? {} : { display_name: displayName }),
          ...(policyJson === undefined ? {} : { policy: policyJson }),
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
      credentials: JSON.parse(
        this.#box.open(
          { keyId: row.credentials_key_id, sealed: row.credentials_ciphertext },
          associatedData(row.tenant_id, row.platform),
        ),
      ) as Record<string, unknown>,
    }));
  }

  /** Every tenant, with credential field names only (values never leave this class for listing). */
  async list(): Promise<TenantSummary[]> {
    const tenants = await this.#db.selectFrom('tenants').selectAll().orderBy('tenant_id').execute();
    const summaries: TenantSummary[] = [];
    for (const tenant of tenants) {
      const platforms = await this.platformsOf(tenant.tenant_id);
      summaries.push({
        tenantId: tenant.tenant_id,
        displayName: tenant.display_name,
        policy: parseTenantPolicy(tenant.policy),
        platforms: platforms.map((p) => ({
          platform: p.platform,
          enabled: p.enabled,
          credentialKeys: Object.keys(p.credentials).sort(),
          keyId: p.keyId ?? '',
        })),
      });
    }
    return summaries;
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
      await trx.deleteFrom('impact_provider_tokens').where('company_id', '=', tenantId).where('provider', '=', platform).execute();
    });
  }

  /** Re-seals every tenant's credentials under the current key (after a key rotation); returns the count. */
  async resealAll(): Promise<number> {
    const rows = await this.#db.selectFrom('tenant_platforms').select(['tenant_id', 'platform', 'credentials_ciphertext', 'credentials_key_id']).execute();
    for (const row of rows) {
      const aad = associatedData(row.tenant_id, row.platform);
      const plaintext = this.#box.open({ keyId: row.credentials_key_id, sealed: row.credentials_ciphertext }, aad);
      const sealed = this.#box.seal(plaintext, aad);
      await this.#db
        .updateTable('tenant_platforms')
        .set({ credentials_ciphertext: sealed.sealed, credentials_key_id: sealed.keyId, updated_at: sql`now()` })
        .where('tenant_id', '=', row.tenant_id)
        .where('platform', '=', row.platform)
        .execute();
    }
    return rows.length;
  }
}
