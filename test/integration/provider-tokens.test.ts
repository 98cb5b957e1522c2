/**
 * What must hold: OAuth tokens in impact_provider_tokens are shared by every instance and issued
 * or refreshed by ONE of them at a time (two stores on two pg pools, racing); a refresh token the
 * endpoint rotated to is persisted and used next; the stored bytes are unreadable without the key,
 * and a tampered ciphertext or a row moved to another id is an error — never a garbage token;
 * after a key rotation the old key still opens them and `reseal` moves them to the new key.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { createDb, type Db } from '../../src/db/database.ts';
import { createPostgresTokenStore, tokenAssociatedData } from '../../src/tokens/postgres/postgres-token-store.ts';
import type { IssuedToken, ProviderTokenStore } from '../../src/tokens/token-store.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

const K1 = Buffer.alloc(32, 11);
const K2 = Buffer.alloc(32, 12);
const box = createSecretBox(new Map([['k1', K1]]), 'k1');

let scenario: ScenarioEnv;
const pools: Db[] = [];
/** Both instances read this clock: moving it moves "now" past a token's expiry without waiting. */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

beforeAll(async () => {
  scenario = await createScenarioEnv('providertokens');
});

afterAll(async () => {
  for (const pool of pools) await pool.destroy();
  await scenario?.cleanup();
});

/** One instance's store: its own pg pool. */
function instance(secretBox = box): ProviderTokenStore {
  const db = createDb(scenario.env.DATABASE_URL!, 3);
  pools.push(db);
  return createPostgresTokenStore(db, secretBox, { refreshMarginMs: 60_000, now: clock });
}

/** A token endpoint that counts its calls, takes a while (so the race is real) and records what it was given. */
function endpoint(rotate = false) {
  const calls: (string | null)[] = [];
  const issue = async (storedRefreshToken: string | null): Promise<IssuedToken> => {
    calls.push(storedRefreshToken);
    await sleep(150);
    const n = calls.length;
    return { accessToken: `access-${randomUUID()}`, tokenType: 'Bearer', expiresInSeconds: 3600, ...(rotate ? { refreshToken: `refresh-${n}` } : {}) };
  };
  return { calls, issue };
}

const rowOf = (company: string) =>
  scenario.db.selectFrom('impact_provider_tokens').selectAll().where('company_id', '=', company).where('provider', '=', 'workday').executeTakeFirstOrThrow();

const mustNotIssue = () => Promise.reject(new Error('must not issue'));

describe('sharing one token between instances', () => {
  it('issues once for many concurrent callers on two instances, and refreshes once after expiry', async () => {
    const company = `c-${randomUUID()}`;
    const [a, b] = [instance(), instance()];
    const { calls, issue } = endpoint();
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).get(company, 'workday', issue)));
    expect(calls).toHaveLength(1);
    expect(new Set(first.map((t) => t.accessToken)).size).toBe(1);

    // Past the refresh margin (an hour on): both instances find it due at once; one refreshes.
    offsetMs += 3_600_000 - 30_000;
    const second = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).get(company, 'workday', issue)));
    expect(calls).toHaveLength(2);
    expect(new Set(second.map((t) => t.accessToken)).size).toBe(1);
    expect(second[0]!.accessToken).not.toBe(first[0]!.accessToken);
    expect(await scenario.db.selectFrom('impact_provider_tokens').select('id').where('company_id', '=', company).execute()).toHaveLength(1);
  });

  it('a token refused with 401 on both instances is refreshed once, and both then use the new one', async () => {
    const company = `c-${randomUUID()}`;
    const [a, b] = [instance(), instance()];
    const { calls, issue } = endpoint();
    const refused = (await a.get(company, 'workday', issue)).accessToken;
    expect((await b.get(company, 'workday', issue)).accessToken).toBe(refused);
    const [fromA, fromB] = await Promise.all([
      a.get(company, 'workday', issue, { rejected: refused }),
      b.get(company, 'workday', issue, { rejected: refused }),
    ]);
    expect(calls).toHaveLength(2);
    expect(fromA.accessToken).not.toBe(refused);
    expect(fromB.accessToken).toBe(fromA.accessToken);
  });

  it('persists a rotated refresh token and hands it to the next refresh, on any instance', async () => {
    const company = `c-${randomUUID()}`;
    const [a, b] = [instance(), instance()];
    const { calls, issue } = endpoint(true);
    const token = await a.get(company, 'workday', issue);
    const row = await rowOf(company);
    expect(box.open({ keyId: row.key_id, sealed: row.refresh_token_ciphertext! }, tokenAssociatedData(row.id, 'refresh'))).toBe('refresh-1');
    await b.get(company, 'workday', issue, { rejected: token.accessToken });
    expect(calls).toEqual([null, 'refresh-1']);
    const after = await rowOf(company);
    expect(box.open({ keyId: after.key_id, sealed: after.refresh_token_ciphertext! }, tokenAssociatedData(after.id, 'refresh'))).toBe('refresh-2');
  });

  it('an issuer failure passes through as it was, and stores nothing', async () => {
    const company = `c-${randomUUID()}`;
    const failure = new Error('token endpoint said no');
    await expect(instance().get(company, 'workday', () => Promise.reject(failure))).rejects.toBe(failure);
    expect(await scenario.db.selectFrom('impact_provider_tokens').select('id').where('company_id', '=', company).execute()).toHaveLength(0);
  });
});

describe('rotating a tenant\'s credentials', () => {
  it('waits for a refresh in flight under the old credentials, then drops its token', async () => {
    const company = `c${randomUUID().slice(0, 8)}`;
    await scenario.tenants.upsertTenant(company);
    await scenario.tenants.upsertPlatform(company, 'workday', { tenant: 'x', clientId: 'old', clientSecret: 'old-secret-0123', refreshToken: 'refresh-0123' });
    let called!: () => void;
    let release!: () => void;
    const issuing = new Promise<void>((resolve) => (called = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const refresh = instance().get(company, 'workday', async () => {
      called();
      await released;
      return { accessToken: 'issued-under-old-credentials', tokenType: 'Bearer', expiresInSeconds: 3600 };
    });
    await issuing;
    const rotation = scenario.tenants.rotatePlatform(company, 'workday', { tenant: 'x', clientId: 'new', clientSecret: 'new-secret-0123', refreshToken: 'refresh-0123' });
    // The rotation queues behind the refresh's lock (seen in pg_locks), and only then does the refresh finish.
    let queued = false;
    for (let i = 0; i < 250 && !queued; i++) {
      const waiting = await sql<{ n: string }>`select count(*) as n from pg_locks where locktype = 'advisory' and not granted
        and database = (select oid from pg_database where datname = current_database())`.execute(scenario.db);
      queued = Number(waiting.rows[0]!.n) > 0;
      if (!queued) await sleep(20);
    }
    release();
    expect(queued).toBe(true);
    await refresh;
    await rotation;
    expect(await scenario.db.selectFrom('impact_provider_tokens').select('id').where('company_id', '=', company).execute()).toEqual([]);
  });
});

describe('tokens at rest', () => {
  it('are not readable without the key: no token text in the row, another key opens nothing', async () => {
    const company = `c-${randomUUID()}`;
    const { issue } = endpoint(true);
    const token = await instance().get(company, 'workday', issue);
    const row = await rowOf(company);
    expect(row.key_id).toBe('k1');
    for (const sealed of [row.access_token_ciphertext, row.refresh_token_ciphertext!]) {
      expect(sealed.toString('latin1')).not.toContain('access-');
      expect(sealed.toString('latin1')).not.toContain('refresh-');
    }
    const text = JSON.stringify(await scenario.db.selectFrom('impact_provider_tokens').selectAll().execute());
    expect(text).not.toContain(token.accessToken);
    const otherKey = createSecretBox(new Map([['k1', K2]]), 'k1');
    await expect(createPostgresTokenStore(scenario.db, otherKey, { refreshMarginMs: 0 }).get(company, 'workday', mustNotIssue)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('a tampered access or refresh ciphertext is an error, and nothing is issued over it', async () => {
    for (const column of ['access_token_ciphertext', 'refresh_token_ciphertext'] as const) {
      const company = `c-${randomUUID()}`;
      await instance().get(company, 'workday', endpoint(true).issue);
      const row = await rowOf(company);
      const tampered = Buffer.from(row[column]!);
      tampered[20]! ^= 0x01;
      await scenario.db.updateTable('impact_provider_tokens').set({ [column]: tampered }).where('id', '=', row.id).execute();
      const error = await instance()
        .get(company, 'workday', mustNotIssue)
        .catch((e: unknown) => e);
      // An error the operator fixes (`tenants rotate`), so the delivery waits rather than dead-letters.
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', retryable: true });
      expect((error as Error).message).toContain(company);
      // Still the tampered row: the store did not paper over it.
      expect((await rowOf(company))[column]).toEqual(tampered);
    }
  });

  it('a row moved to another id, or copied to another company, does not open', async () => {
    const company = `c-${randomUUID()}`;
    await instance().get(company, 'workday', endpoint().issue);
    const row = await rowOf(company);
    const copy = `c-${randomUUID()}`;
    await scenario.db
      .insertInto('impact_provider_tokens')
      .values({ ...row, id: randomUUID(), company_id: copy, created_at: undefined, updated_at: undefined })
      .execute();
    await expect(instance().get(copy, 'workday', mustNotIssue)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await scenario.db.updateTable('impact_provider_tokens').set({ id: randomUUID() }).where('id', '=', row.id).execute();
    await expect(instance().get(company, 'workday', mustNotIssue)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('after a key rotation the old key still opens a token; reseal moves every token it can open to the new key', async () => {
    const company = `c-${randomUUID()}`;
    const token = await instance().get(company, 'workday', endpoint(true).issue);
    // And one row that no key opens (altered): reseal names it and leaves it, and does the rest.
    const broken = `c-${randomUUID()}`;
    await instance().get(broken, 'workday', endpoint().issue);
    const brokenRow = await rowOf(broken);
    await scenario.db.updateTable('impact_provider_tokens').set({ id: randomUUID() }).where('id', '=', brokenRow.id).execute();

    const rotated = createSecretBox(
      new Map([
        ['k1', K1],
        ['k2', K2],
      ]),
      'k2',
    );
    const store = instance(rotated);
    expect((await store.get(company, 'workday', mustNotIssue)).accessToken).toBe(token.accessToken);
    const before = await rowOf(company);
    const report = await store.reseal();
    expect(report.unreadable).toContain(`${broken}/workday`);
    expect(report.resealed).toBeGreaterThanOrEqual(1);
    const after = await rowOf(company);
    expect(after.key_id).toBe('k2');
    // Same token, new envelope: its issue time stays, so its refresh margin is unchanged.
    expect(after.updated_at).toEqual(before.updated_at);
    expect(after.access_token_ciphertext.equals(before.access_token_ciphertext)).toBe(false);
    expect((await rowOf(broken)).key_id).toBe('k1');
    const onlyNew = createSecretBox(new Map([['k2', K2]]), 'k2');
    expect((await instance(onlyNew).get(company, 'workday', mustNotIssue)).accessToken).toBe(token.accessToken);
    await expect(instance(box).get(company, 'workday', mustNotIssue)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('a down database', () => {
  it('is a dependency failure (retry later), not an unknown outcome', async () => {
    const url = new URL(scenario.env.DATABASE_URL!);
    url.port = '1';
    const db = createDb(url.toString(), 1);
    pools.push(db);
    const store = createPostgresTokenStore(db, box, { refreshMarginMs: 0 });
    await expect(store.get('acme', 'workday', mustNotIssue)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
  });
});
