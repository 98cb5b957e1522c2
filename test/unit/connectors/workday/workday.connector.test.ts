/**
 * The Workday connector's auth flow and classification, against undici's MockAgent (no sockets):
 * which grant it sends, what it does with a rotated or refused refresh token, how every answer of
 * the token endpoint and of the API becomes delivered / rejected / an ImpactError. The same
 * behaviours run over real sockets against the simulator in test/integration/workday-*.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryRequest } from '../../../../src/connectors/connector.ts';
import { createWorkdayConnector } from '../../../../src/connectors/workday/workday.connector.ts';
import type { ImpactError } from '../../../../src/domain/errors.ts';
import type { RedactedEvent } from '../../../../src/domain/redacted-event.ts';
import { DEFAULT_TENANT_POLICY } from '../../../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../../../src/redaction/pre-send-gate.ts';
import type { AccessToken, ProviderTokenStore } from '../../../../src/tokens/token-store.ts';
import { redactedOf } from '../../redacted-fixtures.ts';

const ORIGIN = 'https://wd.example.com';
const TENANT = 'acme_prod';
const CREDENTIALS = { tenant: TENANT, clientId: 'impact-in', clientSecret: 'wd-secret-0123456789', refreshToken: 'refresh-configured' };
const TOKEN_PATH = `/ccx/oauth2/${TENANT}/token`;

/** A one-process token store: enough to drive the connector's issue callback. */
function memoryTokens() {
  let held: { token: AccessToken; refreshToken: string | null } | undefined;
  const store: ProviderTokenStore & { refreshToken(): string | null | undefined; seed(refreshToken: string): void } = {
    async get(_company, _provider, issue, options = {}) {
      if (held && held.token.accessToken !== options.rejected && held.token.expiresAt.getTime() > Date.now()) return held.token;
      const issued = await issue(held?.refreshToken ?? null);
      held = {
        token: { accessToken: issued.accessToken, tokenType: issued.tokenType, expiresAt: new Date(Date.now() + issued.expiresInSeconds * 1000) },
        refreshToken: issued.refreshToken ?? held?.refreshToken ?? null,
      };
      return held.token;
    },
    async reseal() {
      return { resealed: 0, unreadable: [] };
    },
    refreshToken: () => held?.refreshToken,
    seed(refreshToken) {
      held = { token: { accessToken: 'expired', tokenType: 'Bearer', expiresAt: new Date(0) }, refreshToken };
    },
  };
  return store;
}

let agent: MockAgent;
let tokens: ReturnType<typeof memoryTokens>;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  tokens = memoryTokens();
});

afterEach(async () => {
  await agent.close();
});

function connector() {
  return createWorkdayConnector({
    baseUrl: ORIGIN,
    dispatcher: agent,
    allowPrivateHosts: false,
    gate: createPreSendGate(),
    tokens,
    rateLimit: { perMinute: 60_000, burst: 100 },
  });
}

function requestOf(kind: 'volunteer_activity' | 'program_enrolment' = 'volunteer_activity', credentials: Record<string, unknown> = CREDENTIALS): DeliveryRequest {
  const event = { ...redactedOf(kind).event, eventId: randomUUID() } as RedactedEvent;
  return { event, idempotencyKey: randomUUID().replaceAll('-', '').repeat(2), credentials, tenantPolicy: DEFAULT_TENANT_POLICY };
}

const headerOf = (headers: unknown, name: string): string | undefined => {
  if (headers === undefined || headers === null) return undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    return undefined;
  }
  const entry = Object.entries(headers as Record<string, string>).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
};

interface Seen {
  readonly authorization: string | undefined;
  readonly body: string;
}

/** The token endpoint answers `answers` in turn; what each request carried is kept. */
function tokenEndpoint(...answers: { status: number; body: unknown }[]): Seen[] {
  const seen: Seen[] = [];
  for (const answer of answers) {
    agent
      .get(ORIGIN)
      .intercept({ path: TOKEN_PATH, method: 'POST' })
      .reply((opts) => {
        seen.push({ authorization: headerOf(opts.headers, 'authorization'), body: String(opts.body) });
        return { statusCode: answer.status, data: JSON.stringify(answer.body), responseOptions: { headers: { 'content-type': 'application/json' } } };
      });
  }
  return seen;
}

const TOKEN = (n: number, extra: Record<string, unknown> = {}) => ({ access_token: `access-${n}`, token_type: 'Bearer', expires_in: 3600, ...extra });

const writePath = (req: DeliveryRequest, collection = 'volunteerActivities') =>
  `/ccx/api/v1/${TENANT}/workers/${req.event.subject.pseudonym}/${collection}`;

/** The write endpoint answers once; the bearer token it saw is kept. */
function writeEndpoint(req: DeliveryRequest, status: number, body: unknown, headers: Record<string, string> = {}, collection?: string) {
  const seen: string[] = [];
  agent
    .get(ORIGIN)
    .intercept({ path: writePath(req, collection), method: 'POST' })
    .reply((opts) => {
      seen.push(headerOf(opts.headers, 'authorization') ?? '');
      return { statusCode: status, data: typeof body === 'string' ? body : JSON.stringify(body), responseOptions: { headers } };
    });
  return seen;
}

const created = (req: DeliveryRequest) => ({ id: 'wd_1', workerId: req.event.subject.pseudonym, externalKey: req.idempotencyKey });

describe('workday connector: OAuth', () => {
  it('uses the refresh-token grant with HTTP Basic client auth, then the bearer token on the write', async () => {
    const seen = tokenEndpoint({ status: 200, body: TOKEN(1) });
    const req = requestOf();
    const bearer = writeEndpoint(req, 201, created(req));
    expect(await connector().deliver(req)).toEqual({ status: 'delivered', externalRef: 'wd_1' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('impact-in:wd-secret-0123456789').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({ grant_type: 'refresh_token', refresh_token: 'refresh-configured' });
    expect(bearer).toEqual(['Bearer access-1']);
  });

  it('uses client credentials when the tenant credentials choose that grant', async () => {
    const seen = tokenEndpoint({ status: 200, body: TOKEN(1) });
    const { refreshToken: _none, ...rest } = CREDENTIALS;
    const req = requestOf('program_enrolment', { ...rest, grant: 'client_credentials' });
    writeEndpoint(req, 201, created(req), {}, 'programEnrollments');
    expect(await connector().deliver(req)).toMatchObject({ status: 'delivered' });
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({ grant_type: 'client_credentials' });
  });

  it('hands a rotated refresh token to the store, and sends it on the next refresh', async () => {
    const seen = tokenEndpoint({ status: 200, body: TOKEN(1, { refresh_token: 'refresh-rotated' }) }, { status: 200, body: TOKEN(2) });
    const first = requestOf();
    writeEndpoint(first, 201, created(first));
    await connector().deliver(first);
    expect(tokens.refreshToken()).toBe('refresh-rotated');
    // The platform refuses access-1: one forced refresh, with the rotated refresh token.
    const second = requestOf();
    writeEndpoint(second, 401, { error: 'invalid_token' });
    writeEndpoint(second, 201, created(second));
    expect(await connector().deliver(second)).toMatchObject({ status: 'delivered' });
    expect(new URLSearchParams(seen[1]!.body).get('refresh_token')).toBe('refresh-rotated');
  });

  it('falls back to the configured refresh token when the stored one is refused', async () => {
    tokens.seed('refresh-stale');
    const seen = tokenEndpoint({ status: 400, body: { error: 'invalid_grant' } }, { status: 200, body: TOKEN(1) });
    const req = requestOf();
    writeEndpoint(req, 201, created(req));
    expect(await connector().deliver(req)).toMatchObject({ status: 'delivered' });
    expect(seen.map((s) => new URLSearchParams(s.body).get('refresh_token'))).toEqual(['refresh-stale', 'refresh-configured']);
  });

  it('a refused grant or client is a final auth failure; a failing token endpoint is retried', async () => {
    tokenEndpoint({ status: 400, body: { error: 'invalid_grant' } }, { status: 401, body: { error: 'invalid_client' } });
    for (let i = 0; i < 2; i++) {
      await expect(connector().deliver(requestOf())).rejects.toMatchObject({ code: 'PLATFORM_AUTH_FAILED', retryable: false });
    }
    tokenEndpoint({ status: 503, body: { error: 'unavailable' } });
    await expect(connector().deliver(requestOf())).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE', retryable: true });
    tokenEndpoint({ status: 429, body: { error: 'rate_limited' } });
    await expect(connector().deliver(requestOf())).rejects.toMatchObject({ code: 'PLATFORM_RATE_LIMITED', retryable: true });
  });

  it('a token answer outside the contract is an error, not a token', async () => {
    tokenEndpoint({ status: 200, body: { access_token: 'x', token_type: 'mac', expires_in: 3600 } }, { status: 200, body: '<html>' });
    for (let i = 0; i < 2; i++) {
      await expect(connector().deliver(requestOf())).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE' });
    }
  });

  it('a 401 gets exactly one forced refresh and one retry; a second 401 is final', async () => {
    const seen = tokenEndpoint({ status: 200, body: TOKEN(1) }, { status: 200, body: TOKEN(2) });
    const req = requestOf();
    const bearer = writeEndpoint(req, 401, { error: 'invalid_token' });
    bearer.push(...writeEndpoint(req, 401, { error: 'invalid_token' }));
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'PLATFORM_AUTH_FAILED', retryable: false });
    expect(seen).toHaveLength(2);
  });

  it('never puts a token or secret into an error message', async () => {
    tokenEndpoint({ status: 400, body: { error: 'invalid_grant', error_description: 'refresh-configured is not valid' } });
    const error = (await connector().deliver(requestOf()).catch((e: unknown) => e)) as ImpactError;
    expect(error.message).toContain('invalid_grant');
    for (const secret of [CREDENTIALS.clientSecret, CREDENTIALS.refreshToken]) expect(error.message).not.toContain(secret);
  });
});

describe('workday connector: classification of the write', () => {
  beforeEach(() => {
    tokenEndpoint({ status: 200, body: TOKEN(1) });
  });

  it.each([400, 404, 409, 422])('%i is a final rejection', async (status) => {
    const req = requestOf();
    writeEndpoint(req, status, { error: 'validation_failed', message: `echo ${req.event.subject.pseudonym}` });
    const outcome = await connector().deliver(req);
    expect(outcome).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
    // The platform's code only, never its message (it may echo the record).
    expect(JSON.stringify(outcome)).not.toContain('echo');
  });

  it('429 is rate limiting with its Retry-After', async () => {
    const req = requestOf();
    writeEndpoint(req, 429, { error: 'rate_limited' }, { 'retry-after': '7' });
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'PLATFORM_RATE_LIMITED', retryable: true, retryAfterMs: 7_000 });
  });

  it.each([500, 502, 503, 504, 408])('%i is the platform unavailable: retried, looked up first', async (status) => {
    const req = requestOf();
    writeEndpoint(req, status, { error: 'internal' });
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE', retryable: true });
  });

  it('a 201 outside the contract, or for another record, leaves the outcome unknown', async () => {
    const req = requestOf();
    writeEndpoint(req, 201, { ok: true });
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    writeEndpoint(req, 201, { ...created(req), externalKey: 'someone-else' });
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    writeEndpoint(req, 201, 'not json');
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  });

  it('a reset or a lost answer after sending is unknown; a refused connection is a plain network error', async () => {
    const req = requestOf();
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: writePath(req), method: 'POST' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    pool.intercept({ path: writePath(req), method: 'POST' }).replyWithError(Object.assign(new Error('timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    pool.intercept({ path: writePath(req), method: 'POST' }).replyWithError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    await expect(connector().deliver(req)).rejects.toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('a redirect is not followed', async () => {
    const req = requestOf();
    writeEndpoint(req, 302, '', { location: 'https://elsewhere.example.com/steal' });
    agent.get('https://elsewhere.example.com').intercept({ path: '/steal', method: 'POST' }).reply(201, {});
    expect(await connector().deliver(req)).toMatchObject({ status: 'rejected' });
    expect(agent.pendingInterceptors().map((i) => i.origin)).toEqual(['https://elsewhere.example.com']);
  });
});

describe('workday connector: before anything is sent', () => {
  it('personal data in the body is blocked by the pre-send gate, and no request leaves', async () => {
    const req = requestOf();
    const event = { ...req.event, payload: { ...req.event.payload, activityName: 'call jane.doe@example.com' } } as RedactedEvent;
    await expect(connector().deliver({ ...req, event })).rejects.toMatchObject({ code: 'PII_BLOCKED' });
  });

  it('invalid tenant credentials are a configuration error', async () => {
    await expect(connector().deliver(requestOf('volunteer_activity', { tenant: TENANT, clientId: 'x' }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      retryable: false,
    });
  });

  it('a private or loopback base URL is refused unless allowed', () => {
    for (const baseUrl of ['http://127.0.0.1:4030', 'http://10.1.2.3', 'http://localhost:4030', 'http://[::1]:4030']) {
      expect(() =>
        createWorkdayConnector({ baseUrl, dispatcher: agent, allowPrivateHosts: false, gate: createPreSendGate(), tokens, rateLimit: { perMinute: 1, burst: 1 } }),
      ).toThrow(/private/);
    }
  });
});

describe('workday connector: lookup', () => {
  beforeEach(() => {
    tokenEndpoint({ status: 200, body: TOKEN(1) });
  });

  const lookupAnswer = (req: DeliveryRequest, status: number, body: unknown) => {
    const paths: string[] = [];
    agent
      .get(ORIGIN)
      .intercept({ path: (path) => path.startsWith(writePath(req)), method: 'GET' })
      .reply((opts) => {
        paths.push(opts.path);
        return { statusCode: status, data: JSON.stringify(body) };
      });
    return paths;
  };

  it('finds our record by external key on the worker, or answers null', async () => {
    const req = requestOf();
    const paths = lookupAnswer(req, 200, { data: [{ id: 'wd_9', externalKey: req.idempotencyKey }] });
    expect(await connector().lookup(req)).toEqual({ externalRef: 'wd_9' });
    expect(paths).toEqual([`${writePath(req)}?externalKey=${req.idempotencyKey}`]);
    lookupAnswer(req, 200, { data: [{ id: 'wd_8', externalKey: 'another' }] });
    expect(await connector().lookup(req)).toBeNull();
  });

  it('an answer outside the contract or a failure is an error, never "not found"', async () => {
    const req = requestOf();
    lookupAnswer(req, 200, { records: [] });
    await expect(connector().lookup(req)).rejects.toMatchObject({ code: 'PLATFORM_BAD_RESPONSE' });
    lookupAnswer(req, 503, { error: 'unavailable' });
    await expect(connector().lookup(req)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });
  });
});
