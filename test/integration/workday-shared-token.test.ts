/**
 * What must hold: two impact-in instances (each its own connector, token store and pg pool)
 * delivering for one company share ONE Workday access token through PostgreSQL — exactly one
 * token request at the simulator when it is first needed, exactly one when it comes due, and
 * exactly one after Workday revokes it and both instances get 401 — and no write is doubled.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, DeliveryRequest } from '../../src/connectors/connector.ts';
import { createWorkdayConnector } from '../../src/connectors/workday/workday.connector.ts';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { createDb, type Db } from '../../src/db/database.ts';
import { idempotencyKey } from '../../src/domain/idempotency-key.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { createDispatcher } from '../../src/http/dispatcher.ts';
import { DEFAULT_TENANT_POLICY } from '../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../src/simulators/workday/index.ts';
import { createPostgresTokenStore } from '../../src/tokens/postgres/postgres-token-store.ts';
import { redactedOf } from '../unit/redacted-fixtures.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

const WD_TENANT = 'globex_prod';
const REFRESH = { tenant: WD_TENANT, clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', refreshToken: 'wd-refresh-0123456789' };
const CLIENT_CREDENTIALS = { tenant: WD_TENANT, clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', grant: 'client_credentials' };
const TTL_SECONDS = 3600;

/** The simulator and both instances read this clock: a jump takes every token past its refresh point without waiting. */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, requestTimeoutMs: 5_000, allowPrivateHosts: true });
const box = createSecretBox(new Map([['k1', Buffer.alloc(32, 3)]]), 'k1');
let scenario: ScenarioEnv;
let sim: WorkdaySimulator;
const pools: Db[] = [];

beforeAll(async () => {
  scenario = await createScenarioEnv('workdaysharedtoken');
  sim = await startWorkdaySimulator({
    tenants: { [WD_TENANT]: { clientId: REFRESH.clientId, clientSecret: REFRESH.clientSecret, refreshToken: REFRESH.refreshToken } },
    tokenTtlSeconds: TTL_SECONDS,
    allowClientCredentials: true,
    now: clock,
  });
});

afterAll(async () => {
  for (const pool of pools) await pool.destroy();
  await sim?.close();
  await dispatcher.close();
  await scenario?.cleanup();
});

/** One impact-in instance: its own pg pool, token store and connector. */
function instance(): Connector {
  const db = createDb(scenario.env.DATABASE_URL!, 2);
  pools.push(db);
  return createWorkdayConnector({
    baseUrl: sim.url,
    dispatcher,
    allowPrivateHosts: true,
    gate: createPreSendGate(),
    tokens: createPostgresTokenStore(db, box, { refreshMarginMs: 60_000, now: clock }),
    rateLimit: { perMinute: 60_000, burst: 100 },
  });
}

function requestOf(company: string, credentials: Record<string, unknown>, kind: 'volunteer_activity' | 'program_enrolment' = 'volunteer_activity'): DeliveryRequest {
  const event = { ...redactedOf(kind).event, eventId: randomUUID(), tenantId: company } as RedactedEvent;
  return {
    event,
    idempotencyKey: idempotencyKey('workday', company, event.eventId, event.payload),
    credentials,
    tenantPolicy: DEFAULT_TENANT_POLICY,
  };
}

/** Sixteen deliveries at once, alternating between the two instances and the two kinds. */
async function burst(a: Connector, b: Connector, company: string, credentials: Record<string, unknown>) {
  const outcomes = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      (i % 2 ? a : b).deliver(requestOf(company, credentials, i % 4 < 2 ? 'volunteer_activity' : 'program_enrolment')),
    ),
  );
  for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'delivered' });
}

const issued = () => sim.stats().tokens.issued;

describe('two instances, one Workday token', () => {
  it('refresh-token grant: one token request at first use, one when it comes due, one after a revocation', async () => {
    const company = 'globex';
    const [a, b] = [instance(), instance()];
    const start = issued();

    await burst(a, b, company, REFRESH);
    expect(issued() - start).toBe(1);

    // Within the refresh margin of expiry (60 s): both instances find it due; one refreshes.
    offsetMs += TTL_SECONDS * 1000 - 30_000;
    await burst(a, b, company, REFRESH);
    expect(issued() - start).toBe(2);

    // Workday revokes every token: both instances get 401, one refreshes, both retry once.
    expect(sim.revokeTokens()).toBeGreaterThan(0);
    await burst(a, b, company, REFRESH);
    expect(issued() - start).toBe(3);

    expect(sim.stats().duplicates).toBe(0);
    const rows = await scenario.db.selectFrom('impact_provider_tokens').select(['provider', 'key_id']).where('company_id', '=', company).execute();
    expect(rows).toEqual([{ provider: 'workday', key_id: 'k1' }]);
  });

  it('client-credentials grant (the option): the same sharing, no refresh token stored', async () => {
    const company = 'initech';
    const [a, b] = [instance(), instance()];
    const start = issued();
    await burst(a, b, company, CLIENT_CREDENTIALS);
    expect(issued() - start).toBe(1);
    offsetMs += TTL_SECONDS * 1000 - 30_000;
    await burst(a, b, company, CLIENT_CREDENTIALS);
    expect(issued() - start).toBe(2);
    const row = await scenario.db.selectFrom('impact_provider_tokens').selectAll().where('company_id', '=', company).executeTakeFirstOrThrow();
    expect(row.refresh_token_ciphertext).toBeNull();
    expect(sim.stats().duplicates).toBe(0);
  });

  it('a new instance started later uses the stored token instead of asking for one', async () => {
    const company = 'hooli';
    await instance().deliver(requestOf(company, REFRESH));
    const before = issued();
    const late = instance();
    expect(await late.deliver(requestOf(company, REFRESH, 'program_enrolment'))).toMatchObject({ status: 'delivered' });
    expect(issued()).toBe(before);
  });
});
