/**
 * What must hold: every way a Workday call can fail over real sockets is classified so the
 * deliverer does the right thing — 429 waits (with Retry-After), 5xx and the token endpoint failing
 * are retried, a timeout, a reset or an applied-but-lost answer leave the outcome UNKNOWN (and the
 * lookup then finds exactly what was applied), a 4xx is a final rejection — for both kinds Workday
 * takes, and for the lookup and the token endpoint too.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

const WD_TENANT = 'umbrella_prod';
const CREDENTIALS = { tenant: WD_TENANT, clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', refreshToken: 'wd-refresh-0123456789' };
const REGISTRATION = { clientId: CREDENTIALS.clientId, clientSecret: CREDENTIALS.clientSecret, refreshToken: CREDENTIALS.refreshToken };
/** Short, so the simulator's held request ends the call quickly; a held request never answers. */
const REQUEST_TIMEOUT_MS = 800;

const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, requestTimeoutMs: REQUEST_TIMEOUT_MS, allowPrivateHosts: true });
const box = createSecretBox(new Map([['k1', Buffer.alloc(32, 5)]]), 'k1');
let scenario: ScenarioEnv;
let sim: WorkdaySimulator;
let db: Db;
let connector: Connector;

const KINDS = [
  { kind: 'volunteer_activity', route: 'activity', lookupRoute: 'activity_lookup' },
  { kind: 'program_enrolment', route: 'enrollment', lookupRoute: 'enrollment_lookup' },
] as const;

function connectorFor(baseUrl: string): Connector {
  return createWorkdayConnector({
    baseUrl,
    dispatcher,
    allowPrivateHosts: true,
    gate: createPreSendGate(),
    tokens: createPostgresTokenStore(db, box, { refreshMarginMs: 60_000 }),
    rateLimit: { perMinute: 60_000, burst: 100 },
  });
}

beforeAll(async () => {
  scenario = await createScenarioEnv('workdayerrors');
  db = createDb(scenario.env.DATABASE_URL!, 2);
  sim = await startWorkdaySimulator({ tenants: { [WD_TENANT]: REGISTRATION } });
  connector = connectorFor(sim.url);
});

afterEach(() => {
  sim.clearFaults();
});

afterAll(async () => {
  await sim?.close();
  await db?.destroy();
  await dispatcher.close();
  await scenario?.cleanup();
});

function requestOf(kind: 'volunteer_activity' | 'program_enrolment', company = 'acme'): DeliveryRequest {
  const event = { ...redactedOf(kind).event, eventId: randomUUID(), tenantId: company } as RedactedEvent;
  return { event, idempotencyKey: idempotencyKey('workday', company, event.eventId, event.payload), credentials: CREDENTIALS, tenantPolicy: DEFAULT_TENANT_POLICY };
}

const stored = (req: DeliveryRequest) => sim.records().filter((r) => r.key === `${WD_TENANT}:${req.idempotencyKey}`).length;

describe.each(KINDS)('$kind', ({ kind, route, lookupRoute }) => {
  it('is delivered through added latency, and found by its key', async () => {
    sim.injectFault({ route, kind: 'latency', ms: 150, count: 1 });
    const req = requestOf(kind);
    const outcome = await connector.deliver(req);
    expect(outcome).toMatchObject({ status: 'delivered' });
    expect(await connector.lookup(req)).toEqual({ externalRef: (outcome as { externalRef: string }).externalRef });
  });

  it.each([500, 502, 503])('%i: the platform is unavailable, retried after a lookup', async (status) => {
    sim.injectFault({ route, kind: 'status', status, count: 1 });
    const req = requestOf(kind);
    await expect(connector.deliver(req)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE', retryable: true });
    expect(await connector.lookup(req)).toBeNull();
    expect(await connector.deliver(req)).toMatchObject({ status: 'delivered' });
    expect(stored(req)).toBe(1);
  });

  it('429: rate limited, with the Retry-After the platform sent', async () => {
    sim.injectFault({ route, kind: 'status', status: 429, retryAfterSeconds: 3, count: 1 });
    await expect(connector.deliver(requestOf(kind))).rejects.toMatchObject({ code: 'PLATFORM_RATE_LIMITED', retryable: true, retryAfterMs: 3_000 });
  });

  it.each(['timeout', 'reset'] as const)('%s: the outcome is unknown', async (fault) => {
    sim.injectFault({ route, kind: fault, count: 1 });
    const req = requestOf(kind);
    await expect(connector.deliver(req)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN', retryable: true });
    // The deliverer looks before re-sending; whatever the lookup says, a re-send writes at most once.
    if ((await connector.lookup(req)) === null) await connector.deliver(req);
    expect(stored(req)).toBe(1);
  });

  it('applied but the answer lost: unknown, and the lookup finds the applied record, so nothing is sent twice', async () => {
    sim.injectFault({ route, kind: 'applied_response_lost', count: 1 });
    const req = requestOf(kind);
    await expect(connector.deliver(req)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(await connector.lookup(req)).toMatchObject({ externalRef: expect.stringMatching(/^wd_/) });
    expect(stored(req)).toBe(1);
    expect(sim.stats().duplicates).toBe(0);
  });

  it.each([400, 404, 409])('%i: a final rejection, nothing stored', async (status) => {
    sim.injectFault({ route, kind: 'status', status, count: 1 });
    const req = requestOf(kind);
    expect(await connector.deliver(req)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
    expect(stored(req)).toBe(0);
  });

  it('422 from the contract (a worker id that is not our pseudonym): a final rejection', async () => {
    const req = requestOf(kind);
    const event = { ...req.event, subject: { ...req.event.subject, pseudonym: 'emp-00042' } } as RedactedEvent;
    expect(await connector.deliver({ ...req, event })).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
  });

  it('a failing lookup is an error, never "not found"', async () => {
    const req = requestOf(kind);
    await connector.deliver(req);
    sim.injectFault({ route: lookupRoute, kind: 'status', status: 503, count: 1 });
    await expect(connector.lookup(req)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });
    sim.injectFault({ route: lookupRoute, kind: 'reset', count: 1 });
    await expect(connector.lookup(req)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(await connector.lookup(req)).not.toBeNull();
  });
});

describe('the token endpoint', () => {
  it('failing (503, 429, reset) is retried and writes nothing; the next attempt gets a token and delivers', async () => {
    const company = `c-${randomUUID()}`; // no token stored yet
    const cases = [
      [{ route: 'token', kind: 'status', status: 503, count: 1 }, 'PLATFORM_UNAVAILABLE'],
      [{ route: 'token', kind: 'status', status: 429, retryAfterSeconds: 1, count: 1 }, 'PLATFORM_RATE_LIMITED'],
      [{ route: 'token', kind: 'reset', count: 1 }, 'OUTCOME_UNKNOWN'],
    ] as const;
    for (const [fault, code] of cases) {
      sim.injectFault(fault);
      const req = requestOf('volunteer_activity', company);
      await expect(connector.deliver(req)).rejects.toMatchObject({ code, retryable: true });
      expect(stored(req)).toBe(0);
    }
    expect(await scenario.db.selectFrom('impact_provider_tokens').select('id').where('company_id', '=', company).execute()).toHaveLength(0);
    expect(await connector.deliver(requestOf('volunteer_activity', company))).toMatchObject({ status: 'delivered' });
  });

  it('refusing our client (wrong secret) is a final auth failure', async () => {
    const req = requestOf('volunteer_activity', `c-${randomUUID()}`);
    await expect(connector.deliver({ ...req, credentials: { ...CREDENTIALS, clientSecret: 'not-the-secret-0123' } })).rejects.toMatchObject({
      code: 'PLATFORM_AUTH_FAILED',
      retryable: false,
    });
  });
});

describe("Workday's own rate limit", () => {
  it('answers 429 with Retry-After past the limit: rate limited, not a failure of the record', async () => {
    const limited = await startWorkdaySimulator({ tenants: { [WD_TENANT]: REGISTRATION }, rateLimitPerMinute: 2 });
    try {
      const c = connectorFor(limited.url);
      const company = `c-${randomUUID()}`;
      await c.deliver(requestOf('volunteer_activity', company));
      await c.deliver(requestOf('program_enrolment', company));
      const error = await c.deliver(requestOf('volunteer_activity', company)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PLATFORM_RATE_LIMITED', retryable: true });
      expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
      expect(limited.stats().duplicates).toBe(0);
    } finally {
      await limited.close();
    }
  });
});
