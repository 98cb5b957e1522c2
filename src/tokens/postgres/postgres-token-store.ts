/**
 * ProviderTokenStore in PostgreSQL (`impact_provider_tokens`). Tokens are sealed with AES-256-GCM
 * (src/crypto/secret-box.ts): a random IV each time, the key id in `key_id` for rotation, and the
 * ROW ID bound as associated data — a ciphertext copied to another row, or tampered with, fails
 * to open (an error, never a garbage token).
 *
 * Refresh is serialised across instances by a transaction-scoped advisory lock on
 * (company, provider): the first instance to find the token due refreshes and writes it; the
 * others wait on the lock, re-read, and use the fresh token. Each process also caches the open
 * token until shortly before expiry, so a delivery costs no PostgreSQL round trip for its token.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Database } from '../../db/schema.ts';
import type { AccessToken, IssueToken, ProviderTokenStore } from '../token-store.ts';

export interface PostgresTokenStoreOptions {
  /** Refresh this long before expiry (capped at a tenth of the token's lifetime). */
  readonly refreshMarginMs: number;
  /** Told of every token this process stores or first reads (for the expiry gauge). */
  readonly onToken?: (companyId: string, provider: string, expiresAt: Date) => void;
  readonly now?: () => number;
}

/** Associated data of a row's ciphertexts: its id and which token. */
export const tokenAssociatedData = (rowId: string, which: 'access' | 'refresh') => `impact_provider_tokens:${rowId}:${which}`;

interface OpenRow {
  readonly id: string;
  readonly token: AccessToken;
  readonly refreshToken: string | null;
  readonly issuedForMs: number;
}

type Executor = Kysely<Database> | Transaction<Database>;

export function createPostgresTokenStore(db: Kysely<Database>, box: SecretBox, options: PostgresTokenStoreOptions): ProviderTokenStore {
  const now = options.now ?? Date.now;
  const cache = new Map<string, OpenRow>();
  const inFlight = new Map<string, Promise<AccessToken>>();

  const usable = (row: OpenRow, rejected: string | undefined) => {
    if (rejected !== undefined && row.token.accessToken === rejected) return false;
    const margin = Math.min(options.refreshMarginMs, row.issuedForMs / 10);
    return row.token.expiresAt.getTime() - now() > margin;
  };

  async function read(executor: Executor, companyId: string, provider: string): Promise<OpenRow | undefined> {
    const row = await executor
      .selectFrom('impact_provider_tokens')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    if (!row) return undefined;
    const expiresAt = new Date(row.expires_at as unknown as string | Date);
    return {
      id: row.id,
      token: {
        accessToken: box.open({ keyId: row.key_id, sealed: row.access_token_ciphertext }, tokenAssociatedData(row.id, 'access')),
        tokenType: row.token_type,
        expiresAt,
      },
      refreshToken:
        row.refresh_token_ciphertext === null
          ? null
          : box.open({ keyId: row.key_id, sealed: row.refresh_token_ciphertext }, tokenAssociatedData(row.id, 'refresh')),
      issuedForMs: Math.max(0, expiresAt.getTime() - new Date(row.updated_at).getTime()),
    };
  }

  async function write(trx: Transaction<Database>, companyId: string, provider: string, id: string, token: AccessToken, refreshToken: string | null) {
    const access = box.seal(token.accessToken, tokenAssociatedData(id, 'access'));
    const refresh = refreshToken === null ? null : box.seal(refreshToken, tokenAssociatedData(id, 'refresh'));
    await trx
      .insertInto('impact_provider_tokens')
      .values({
        id,
        company_id: companyId,
        provider,
        access_token_ciphertext: access.sealed,
        refresh_token_ciphertext: refresh?.sealed ?? null,
        key_id: access.keyId,
        token_type: token.tokenType,
        expires_at: token.expiresAt,
      })
      .onConflict((oc) =>
        oc.columns(['company_id', 'provider']).doUpdateSet({
          access_token_ciphertext: access.sealed,
          refresh_token_ciphertext: refresh?.sealed ?? null,
          key_id: access.keyId,
          token_type: token.tokenType,
          expires_at: token.expiresAt,
          updated_at: sql`now()`,
        }),
      )
      .execute();
  }

  async function refreshUnderLock(companyId: string, provider: string, issue: IssueToken, rejected: string | undefined) {
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`impact_provider_tokens:${companyId}:${provider}`}, 0))`.execute(trx);
      // Another instance may have refreshed while we waited for the lock.
      const current = await read(trx, companyId, provider);
      if (current && usable(current, rejected)) return current;
      const startedAt = now();
      const issued = await issue(current?.refreshToken ?? null);
      const token: AccessToken = {
        accessToken: issued.accessToken,
        tokenType: issued.tokenType,
        expiresAt: new Date(startedAt + issued.expiresInSeconds * 1000),
      };
      const id = current?.id ?? randomUUID();
      const refreshToken = issued.refreshToken ?? current?.refreshToken ?? null;
      await write(trx, companyId, provider, id, token, refreshToken);
      return { id, token, refreshToken, issuedForMs: issued.expiresInSeconds * 1000 };
    });
  }

  return {
    async get(companyId, provider, issue, getOptions = {}) {
      const key = `${companyId}\u0000${provider}`;
      const rejected = getOptions.rejected;
      const cached = cache.get(key);
      if (cached && usable(cached, rejected)) return cached.token;
      // One lookup or refresh per key in this process at a time; concurrent callers share it.
      const pending = inFlight.get(key);
      if (pending) {
        const token = await pending;
        if (rejected === undefined || token.accessToken !== rejected) return token;
      }
      const work = (async () => {
        let row = await read(db, companyId, provider);
        if (!row || !usable(row, rejected)) row = await refreshUnderLock(companyId, provider, issue, rejected);
        cache.set(key, row);
        options.onToken?.(companyId, provider, row.token.expiresAt);
        return row.token;
      })();
      inFlight.set(key, work);
      try {
        return await work;
      } finally {
        if (inFlight.get(key) === work) inFlight.delete(key);
      }
    },

    async reseal() {
      const ids = await db.selectFrom('impact_provider_tokens').select(['company_id', 'provider']).execute();
      for (const { company_id, provider } of ids) {
        await db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtextextended(${`impact_provider_tokens:${company_id}:${provider}`}, 0))`.execute(trx);
          const row = await read(trx, company_id, provider);
          if (row) await write(trx, company_id, provider, row.id, row.token, row.refreshToken);
        });
      }
      cache.clear();
      return ids.length;
    },
  };
}
