/**
 * What must hold: the Workday connector speaks the simulator's contract over real sockets for
 * every kind Workday takes; its OAuth tokens are issued once and shared by instances through
 * PostgreSQL (encrypted), refreshed on expiry and once after a 401; and every failure is classified
 * so the deliverer retries, reconciles or gives up correctly.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkdayConnector } from '../../src/connectors/workday/workday.connector.ts';
import type { Connector, DeliveryRequest } from '../../src/connectors/connector.ts';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { createDb, type Db } from '../../src/db/database.ts';
import type { EventKind } from '../../src/domain/event.ts';
import { idempotencyKey } from '../../src/domain/idempotency-key.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { createDispatcher } from '../../src/http/dispatcher.ts';
import { DEFAULT_TENANT_POLICY } from '../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../src/simulators/workday/index.ts';
import { createPostgresTokenStore } from '../../src/tokens/postgres/postgres-token-store.ts';
import { redactedOf } from '../unit/redacted-fixtures.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

const WD_TENANT = 'acme_prod';
const credentials = { tenant: WD_TENANT, clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', refreshToken: 'wd-refresh-0123456789' };
const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, requestTimeoutMs: 1_500, allowPrivateHosts: true });
const box = createSecretBox(new Map([['k1', Buffer.alloc(32, 7)]]), 'k1');

let scenario: ScenarioEnv;
let sim: WorkdaySimulator;
const pools: Db[] = [];

beforeAll(async () => {
  scenario = await createScenarioEnv('workday');
  sim = await startWorkdaySimulator({
    tenants: { [WD_TENANT]: { clientId: credentials.clientId, clientSecret: credentials.clientSecret, refreshToken: credentials.refreshToken } },
    tokenTtlSeconds: 3,
  });
});

afterEach(async () => {
  sim.clearFaults();
});

afterAll(async () => {
  for (const pool of pools) await pool.destroy();
  await sim?.close();
  await dispatcher.close();
  await scenario?.cleanup();
});

/** A connector as one instance builds it: its own pool and token store. */
function instance(): Connector {
  const db = createDb(scenario.env.DATABASE_URL!, 2);
  pools.push(db);
  return createWorkdayConnector({
    baseUrl: sim.url,
    dispatcher,
    allowPrivateHosts: true,
    gate: createPreSendGate(),
    tokens: createPostgresTokenStore(db, box, { refreshMarginMs: 0 }),
    rateLimit: { perMinute: 60_000, burst: 100 },
  });
}

function requestOf(
  kind: Extract<EventKind, 'volunteer_activity' | 'program_enrolment'>,
  creds: Record<string, unknown> = credentials,
  company = 'acme',
): DeliveryRequest {
  const event = { ...redactedOf(kind).event, eventId: randomUUID(), tenantId: company } as RedactedEvent;
  return {
    event,
    idempotencyKey: idempotencyKey('workday', event.tenantId, event.eventId, event.payload),
    credentials: creds,
    tenantPolicy: DEFAULT_TENANT_POLICY,
  };
}

describe('Workday connector against its simulator', () => {
  it('writes a volunteer activity and a program enrolment on the worker, and finds them by key', async () => {
    const connector = instance();
    for (const kind of ['volunteer_activity', 'program_enrolment'] as const) {
      const req = requestOf(kind);
      const outcome = await connector.deliver(req);
      expect(outcome).toMatchObject({ status: 'delivered' });
      const ref = (outcome as { externalRef: string }).externalRef;
      expect(await connector.lookup(req)).toEqual({ externalRef: ref });
      expect(await connector.lookup(requestOf(kind))).toBeNull();
    }
    const records = sim.records();
    expect(records.map((r) => r.value.kind).sort()).toEqual(['program_enrollment', 'volunteer_activity']);
    expect(sim.stats()).toMatchObject({ duplicates: 0 });
  });

  it('two instances share ONE token through PostgreSQL, encrypted and bound to its row', async () => {
    const before = sim.stats().tokens.issued;
    const [a, b] = [instance(), instance()];
    // A company with no token yet: eight concurrent deliveries on two instances, one token request.
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).deliver(requestOf('volunteer_activity', credentials, 'umbrella'))));
    expect(sim.stats().tokens.issued - before).toBe(1);
    const rows = await scenario.db.selectFrom('impact_provider_tokens').selectAll().where('company_id', '=', 'umbrella').execute();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ company_id: 'umbrella', provider: 'workday', key_id: 'k1' });
    // Not readable without the key: no token text in the stored bytes.
    expect(row.access_token_ciphertext.toString('latin1')).not.toMatch(/[A-Za-z0-9_-]{20,}/);
    const aad = `impact_provider_tokens:${row.id}:access`;
    const token = box.open({ keyId: 'k1', sealed: row.access_token_ciphertext }, aad);
    expect(token.length).toBeGreaterThan(10);
    // Another key, a flipped byte, or the row's ciphertext under another id: all refuse to open.
    const other = createSecretBox(new Map([['k1', Buffer.alloc(32, 8)]]), 'k1');
    expect(() => other.open({ keyId: 'k1', sealed: row.access_token_ciphertext }, aad)).toThrow();
    const tampered = Buffer.from(row.access_token_ciphertext);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.open({ keyId: 'k1', sealed: tampered }, aad)).toThrow();
    expect(() => box.open({ keyId: 'k1', sealed: row.access_token_ciphertext }, `impact_provider_tokens:${randomUUID()}:access`)).toThrow();
  });

  it('a row copied to another company does not yield a token: the store refuses it', async () => {
    const row = await scenario.db.selectFrom('impact_provider_tokens').selectAll().where('company_id', '=', 'umbrella').executeTakeFirstOrThrow();
    await scenario.db
      .insertInto('impact_provider_tokens')
      .values({ ...row, id: randomUUID(), company_id: 'globex', created_at: undefined, updated_at: undefined })
      .execute();
    const store = createPostgresTokenStore(scenario.db, box, { refreshMarginMs: 0 });
    await expect(store.get('globex', 'workday', () => Promise.reject(new Error('must not issue')))).rejects.toThrow();
    await scenario.db.deleteFrom('impact_provider_tokens').where('company_id', '=', 'globex').execute();
  });

  it('refreshes an expired token, and recovers from a revoked one with one refresh', async () => {
    const connector = instance();
    await connector.deliver(requestOf('volunteer_activity'));
    const issued = sim.stats().tokens.issued;
    await sleep(3_100); // the simulator's tokens live 3 s
    await connector.deliver(requestOf('volunteer_activity'));
    expect(sim.stats().tokens.issued).toBe(issued + 1);

    sim.revokeTokens();
    await Promise.all([connector.deliver(requestOf('volunteer_activity')), connector.deliver(requestOf('program_enrolment'))]);
    expect(sim.stats().tokens.issued).toBe(issued + 2);
    expect(sim.stats().duplicates).toBe(0);
  });

  it('a refused refresh token is a final auth failure', async () => {
    const db = createDb(scenario.env.DATABASE_URL!, 1);
    pools.push(db);
    const connector = createWorkdayConnector({
      baseUrl: sim.url,
      dispatcher,
      allowPrivateHosts: true,
      gate: createPreSendGate(),
      tokens: createPostgresTokenStore(db, box, { refreshMarginMs: 0 }),
      rateLimit: { perMinute: 60_000, burst: 100 },
    });
    const bad = { ...credentials, refreshToken: 'not-the-refresh-token' };
    const req = requestOf('volunteer_activity', bad);
    // A tenant of its own, so the shared token of 'acme' is not used.
    const event = { ...req.event, tenantId: 'initech' } as RedactedEvent;
    await expect(connector.deliver({ ...req, event })).rejects.toMatchObject({ code: 'PLATFORM_AUTH_FAILED', retryable: false });
  });

  it('classifies failures: 503 and 429 retry, lost answers are unknown, 422 is a rejection', async () => {
    const connector = instance();
    sim.injectFault({ route: 'activity', kind: 'status', status: 503, count: 1 });
    await expect(connector.deliver(requestOf('volunteer_activity'))).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });

    sim.injectFault({ route: 'activity', kind: 'status', status: 429, retryAfterSeconds: 2, count: 1 });
    await expect(connector.deliver(requestOf('volunteer_activity'))).rejects.toMatchObject({
      code: 'PLATFORM_RATE_LIMITED',
      retryAfterMs: 2_000,
    });

    for (const kind of ['reset', 'timeout'] as const) {
      sim.injectFault({ route: 'activity', kind, count: 1 });
      await expect(connector.deliver(requestOf('volunteer_activity'))).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    }

    // Applied, but the answer is lost: unknown — and the lookup finds what was applied.
    sim.injectFault({ route: 'activity', kind: 'applied_response_lost', count: 1 });
    const lost = requestOf('volunteer_activity');
    await expect(connector.deliver(lost)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(await connector.lookup(lost)).toMatchObject({ externalRef: expect.stringMatching(/^wd_/) });

    // A worker id that is not a pseudonym is refused for good (422).
    const req = requestOf('volunteer_activity');
    const event = { ...req.event, subject: { ...req.event.subject, pseudonym: 'not-a-pseudonym' } } as RedactedEvent;
    expect(await connector.deliver({ ...req, event })).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
    expect(sim.stats().duplicates).toBe(0);
  });

  it('invalid tenant credentials are a configuration error, nothing is sent', async () => {
    const connector = instance();
    const requests = sim.stats().requests;
    await expect(connector.deliver(requestOf('volunteer_activity', { tenant: WD_TENANT, clientId: 'x' }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(sim.stats().requests).toEqual(requests);
  });
});
