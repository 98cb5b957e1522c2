/**
 * ProviderTokenStore in PostgreSQL (`impact_provider_tokens`). Tokens are sealed with AES-256-GCM
 * (src/crypto/secret-box.ts): a random IV each time, the key id in `key_id` for rotation, and the
 * ROW ID bound as associated data — a ciphertext copied to another row, or tampered with, fails
 * to open (CONFIG_INVALID, never a garbage token).
 *
 * Refresh is serialised across instances by a transaction-scoped advisory lock on
 * (company, provider): the first instance to find the token due refreshes and writes it; the
 * others wait on the lock, re-read, and use the fresh token. Each process also caches the open
 * token until shortly before expiry, so a delivery costs no PostgreSQL round trip for its token.
 * `updated_at` marks when the token was issued (re-sealing leaves it alone): the refresh margin is
 * capped by the lifetime it gives.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Database } from '../../db/schema.ts';
import { ImpactError, isImpactError } from '../../domain/errors.ts';
import { isUsable, type AccessToken, type IssueToken, type ProviderTokenStore, type ResealReport } from '../token-store.ts';

export interface PostgresTokenStoreOptions {
  /** Refresh this long before expiry (capped at a tenth of the token's lifetime). */
  readonly refreshMarginMs: number;
  /** Told of every token this process stores or first reads (for the expiry gauge). */
  readonly onToken?: (companyId: string, provider: string, expiresAt: Date, issuedForMs: number) => void;
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

/** Carries what the caller's `issue` threw through the transaction, so it is not taken for a database failure. */
class IssueFailed extends Error {
  readonly original: unknown;
  constructor(original: unknown) {
    super('token issue failed');
    this.original = original;
  }
}

/** The advisory-lock key that serialises writes of one (company, provider) token across instances. */
export const tokenLockKey = (companyId: string, provider: string) => `impact_provider_tokens:${companyId}:${provider}`;

export function createPostgresTokenStore(db: Kysely<Database>, box: SecretBox, options: PostgresTokenStoreOptions): ProviderTokenStore {
  const now = options.now ?? Date.now;
  const cache = new Map<string, OpenRow>();
  const inFlight = new Map<string, Promise<AccessToken>>();

  const usable = (row: OpenRow, rejected: string | undefined) => isUsable(row, options.refreshMarginMs, now(), rejected);

  /** Opens one ciphertext of a row, or names the row that cannot be opened (the crypto error stays the cause). */
  function openSealed(row: { id: string; company_id: string; provider: string; key_id: string }, sealed: Buffer, which: 'access' | 'refresh') {
    try {
      return box.open({ keyId: row.key_id, sealed }, tokenAssociatedData(row.id, which));
    } catch (error) {
      throw new ImpactError(
        'CONFIG_INVALID',
        `the stored ${row.provider} ${which} token of company ${row.company_id} cannot be opened with key ${row.key_id} ` +
          '(key not configured, ciphertext altered, or row moved); `impact-in tenants rotate` replaces it',
        // Retryable, as for tenant credentials: the operator's fix lets the delivery go on.
        { cause: error, retryable: true },
      );
    }
  }

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
      token: { accessToken: openSealed(row, row.access_token_ciphertext, 'access'), tokenType: row.token_type, expiresAt },
      refreshToken: row.refresh_token_ciphertext === null ? null : openSealed(row, row.refresh_token_ciphertext, 'refresh'),
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

  async function refreshUnderLock(companyId: string, provider: string, issue: IssueToken, rejected: string | undefined): Promise<OpenRow> {
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${tokenLockKey(companyId, provider)}, 0))`.execute(trx);
      // Another instance may have refreshed while we waited for the lock.
      const current = await read(trx, companyId, provider);
      if (current && usable(current, rejected)) return current;
      const startedAt = now();
      let issued;
      try {
        issued = await issue(current?.refreshToken ?? null);
      } catch (error) {
        throw new IssueFailed(error);
      }
      // Expiry counts from before the request: never later than the platform's own clock has it.
      const token: AccessToken = {
        accessToken: issued.accessToken,
        tokenType: issued.tokenType,
        expiresAt: new Date(startedAt + issued.expiresInSeconds * 1000),
      };
      const id = current?.id ?? randomUUID();
      // A refresh token the endpoint rotated to replaces the stored one, in the same transaction.
      const refreshToken = issued.refreshToken ?? current?.refreshToken ?? null;
      await write(trx, companyId, provider, id, token, refreshToken);
      return { id, token, refreshToken, issuedForMs: issued.expiresInSeconds * 1000 };
    });
  }

  /** The store's failures: the issuer's own error as it was, ours as they are, PostgreSQL's as a dependency. */
  function classify(error: unknown): unknown {
    if (error instanceof IssueFailed) return error.original;
    if (isImpactError(error)) return error;
    return new ImpactError('DEPENDENCY_UNAVAILABLE', 'the provider token store could not reach PostgreSQL', { cause: error });
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
        try {
          let row = await read(db, companyId, provider);
          if (!row || !usable(row, rejected)) row = await refreshUnderLock(companyId, provider, issue, rejected);
          cache.set(key, row);
          options.onToken?.(companyId, provider, row.token.expiresAt, row.issuedForMs);
          return row.token;
        } catch (error) {
          throw classify(error);
        }
      })();
      inFlight.set(key, work);
      try {
        return await work;
      } finally {
        if (inFlight.get(key) === work) inFlight.delete(key);
      }
    },

    async reseal(): Promise<ResealReport> {
      const unreadable: string[] = [];
      let resealed = 0;
      try {
        const ids = await db.selectFrom('impact_provider_tokens').select(['company_id', 'provider']).execute();
        for (const { company_id, provider } of ids) {
          const done = await db.transaction().execute(async (trx) => {
            // The refresh lock: no instance writes a new token for this row while it is re-sealed.
            await sql`select pg_advisory_xact_lock(hashtextextended(${tokenLockKey(company_id, provider)}, 0))`.execute(trx);
            let row;
            try {
              row = await read(trx, company_id, provider);
            } catch (error) {
              if (isImpactError(error) && error.code === 'CONFIG_INVALID') return 'unreadable' as const;
              throw error;
            }
            if (!row) return 'gone' as const;
            const access = box.seal(row.token.accessToken, tokenAssociatedData(row.id, 'access'));
            const refresh = row.refreshToken === null ? null : box.seal(row.refreshToken, tokenAssociatedData(row.id, 'refresh'));
            // Same token, new envelope: updated_at (the token's issue time) stays.
            await trx
              .updateTable('impact_provider_tokens')
              .set({ access_token_ciphertext: access.sealed, refresh_token_ciphertext: refresh?.sealed ?? null, key_id: access.keyId })
              .where('id', '=', row.id)
              .execute();
            return 'resealed' as const;
          });
          if (done === 'resealed') resealed++;
          if (done === 'unreadable') unreadable.push(`${company_id}/${provider}`);
        }
      } catch (error) {
        throw classify(error);
      }
      cache.clear();
      return { resealed, unreadable };
    },
  };
}
