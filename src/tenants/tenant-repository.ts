/**
 * Tenant configuration in PostgreSQL: which platforms a company reports to, each with its
 * credentials sealed by the SecretBox (the row identity is the associated data).
 */
import { sql } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Db } from '../db/database.ts';
import type { Platform } from '../domain/platform.ts';

export interface TenantPlatform {
  readonly tenantId: string;
  readonly platform: Platform;
  readonly enabled: boolean;
  /** Decrypted credentials; each connector parses its own shape. */
  readonly credentials: Readonly<Record<string, unknown>>;
}

export interface TenantSummary {
  readonly tenantId: string;
  readonly displayName: string;
  readonly platforms: readonly { platform: Platform; enabled: boolean; credentialKeys: string[] }[];
}

const associatedData = (tenantId: string, platform: string) => `tenant_platforms:${tenantId}:${platform}`;

export class TenantRepository {
  readonly #db: Db;
  readonly #box: SecretBox;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async upsertTenant(tenantId: string, displayName: string): Promise<void> {
    await this.#db
      .insertInto('tenants')
      .values({ tenant_id: tenantId, display_name: displayName })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ display_name: displayName, updated_at: sql`now()` }))
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
      .select(['tenant_id', 'platform', 'enabled', 'credentials_ciphertext', 'credentials_key_id'])
      .where('tenant_id', '=', tenantId)
      .execute();
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      platform: row.platform as Platform,
      enabled: row.enabled,
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
        platforms: platforms.map((p) => ({
          platform: p.platform,
          enabled: p.enabled,
          credentialKeys: Object.keys(p.credentials).sort(),
        })),
      });
    }
    return summaries;
  }
}
