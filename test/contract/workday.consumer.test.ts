/**
 * What must hold: every request the Workday connector makes, and every answer it relies on, is
 * written down as a pact (contracts/pacts/impact-in-workday.json) that equals the committed one —
 * the refresh-token and client-credentials grants (and a refused grant), activity and enrolment
 * writes, lookups, and the error shapes (401, 409, 422, 429 with Retry-After, 5xx).
 */
import { MatchersV3, PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkdayConnector } from '../../src/connectors/workday/workday.connector.ts';
import { toWorkdayWrite } from '../../src/connectors/workday/workday.mapper.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { BEARER, dispatcher, failureOf, IDEMPOTENCY_KEY, ISO_TIME, JSON_RESPONSE, requestOf, RETRY_AFTER, sampleEvent } from './helpers/consumer.ts';
import { memoryTokens } from './helpers/memory-tokens.ts';
import { asJson } from './helpers/provider.ts';
import { CONSUMER, driftOf, freshPactFile, GENERATED_PACTS } from './helpers/pact-files.ts';

const { like, eachLike, integer } = MatchersV3;
const PROVIDER = 'workday';
const TENANT = 'acme_contract';
/** The registration the provider side sets up; a sandbox run uses its own (README, Contracts). */
const CLIENT = { clientId: 'impact-in-contract', clientSecret: 'contract-client-secret', refreshToken: 'contract-refresh-token' };
const REFRESH = { tenant: TENANT, ...CLIENT };
const CLIENT_CREDENTIALS = { tenant: TENANT, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, grant: 'client_credentials' };
const BASIC = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;
const TOKEN_PATH = `/ccx/oauth2/${TENANT}/token`;
const ACCESS_TOKEN = 'workday-access-token-example';

const activity = sampleEvent('volunteer_activity');
const enrolment = sampleEvent('program_enrolment');
const activityRequest = requestOf(PROVIDER, activity, REFRESH);
const activityWrite = toWorkdayWrite(activity, activityRequest.idempotencyKey);
const activityPath = `/ccx/api/v1/${TENANT}/workers/${activityWrite.workerId}/volunteerActivities`;
const registered = ['the tenant\'s API client is registered', { tenant: TENANT, ...CLIENT }] as const;
// The connector relies on the error's shape, not on Workday's exact words: codes match by type.
const errorBody = (code: string) => ({ error: like(code), message: like('what went wrong') });

function pact() {
  return new PactV3({ consumer: CONSUMER, provider: PROVIDER, dir: GENERATED_PACTS, logLevel: 'warn', spec: SpecificationVersion.SPECIFICATION_VERSION_V4 });
}

function connector(baseUrl: string) {
  return createWorkdayConnector({
    baseUrl,
    dispatcher,
    allowPrivateHosts: true,
    gate: createPreSendGate(),
    tokens: memoryTokens(),
    rateLimit: { perMinute: 600, burst: 10 },
  });
}

/** The refresh-token grant every API interaction starts with (its own interaction in the pact). */
function withRefreshGrant(p: PactV3): PactV3 {
  return p
    .given(...registered)
    .uponReceiving('a refresh-token grant')
    .withRequest({
      method: 'POST',
      path: TOKEN_PATH,
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `grant_type=refresh_token&refresh_token=${CLIENT.refreshToken}`,
      contentType: 'application/x-www-form-urlencoded',
    })
    .willRespondWith({
      status: 200,
      headers: JSON_RESPONSE,
      body: { access_token: like(ACCESS_TOKEN), token_type: 'Bearer', expires_in: integer(3600), refresh_token: like(CLIENT.refreshToken) },
    });
}

/** The activity write, answered by `response`, under `state`. */
function activityInteraction(p: PactV3, state: string, description: string, response: { status: number; headers?: Record<string, unknown>; body: unknown }) {
  return p
    .given(state, { tenant: TENANT })
    .uponReceiving(description)
    .withRequest({
      method: 'POST',
      path: activityPath,
      headers: { authorization: BEARER, 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': IDEMPOTENCY_KEY(activityRequest.idempotencyKey) },
      body: activityWrite.body,
    })
    .willRespondWith({ status: response.status, headers: { ...JSON_RESPONSE, ...(response.headers as Record<string, never>) }, body: response.body });
}

beforeAll(() => freshPactFile(PROVIDER));

afterAll(async () => {
  await dispatcher.close();
});

describe('workday consumer contract', () => {
  it('refresh-token grant, then a volunteer activity written on the worker', async () => {
    const p = withRefreshGrant(pact());
    await activityInteraction(p, 'the tenant\'s API client is registered', 'a volunteer activity for a worker', {
      status: 201,
      body: { id: like('wd_1f0c0000-0000-4000-8000-000000000001'), workerId: activityWrite.workerId, ...activityWrite.body, createdAt: ISO_TIME },
    }).executeTest(async (server) => {
      expect(await connector(server.url).deliver(activityRequest)).toEqual({ status: 'delivered', externalRef: 'wd_1f0c0000-0000-4000-8000-000000000001' });
    });
  });

  it('client-credentials grant, then a program enrolment written on the worker', async () => {
    const request = requestOf(PROVIDER, enrolment, CLIENT_CREDENTIALS);
    const write = toWorkdayWrite(enrolment, request.idempotencyKey);
    await pact()
      .given(...registered)
      .uponReceiving('a client-credentials grant')
      .withRequest({
        method: 'POST',
        path: TOKEN_PATH,
        headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded',
      })
      .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { access_token: like(ACCESS_TOKEN), token_type: 'Bearer', expires_in: integer(3600) } })
      .given(...registered)
      .uponReceiving('a program enrolment for a worker')
      .withRequest({
        method: 'POST',
        path: `/ccx/api/v1/${TENANT}/workers/${write.workerId}/programEnrollments`,
        headers: { authorization: BEARER, 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': IDEMPOTENCY_KEY(request.idempotencyKey) },
        body: write.body,
      })
      .willRespondWith({
        status: 201,
        headers: JSON_RESPONSE,
        body: { id: like('wd_1f0c0000-0000-4000-8000-000000000002'), workerId: write.workerId, ...write.body, createdAt: ISO_TIME },
      })
      .executeTest(async (server) => {
        expect(await connector(server.url).deliver(request)).toEqual({ status: 'delivered', externalRef: 'wd_1f0c0000-0000-4000-8000-000000000002' });
      });
  });

  it('a refresh token Workday refuses (400 invalid_grant) is an auth failure, not retried', async () => {
    const request = requestOf(PROVIDER, activity, { ...REFRESH, refreshToken: 'refresh-token-workday-refuses' });
    await pact()
      .given(...registered)
      .uponReceiving('a refresh-token grant with a refresh token Workday does not accept')
      .withRequest({
        method: 'POST',
        path: TOKEN_PATH,
        headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'grant_type=refresh_token&refresh_token=refresh-token-workday-refuses',
        contentType: 'application/x-www-form-urlencoded',
      })
      .willRespondWith({ status: 400, headers: JSON_RESPONSE, body: { error: 'invalid_grant', error_description: like('the refresh token is invalid') } })
      .executeTest(async (server) => {
        expect(await failureOf(connector(server.url).deliver(request))).toMatchObject({ code: 'PLATFORM_AUTH_FAILED', retryable: false });
      });
  });

  it('looks an activity up by our external key: found', async () => {
    await withRefreshGrant(pact())
      .given('a volunteer activity with this external key exists', { tenant: TENANT, workerId: activityWrite.workerId, record: asJson(activityWrite.body) })
      .uponReceiving('a lookup of an activity that exists')
      .withRequest({ method: 'GET', path: activityPath, query: { externalKey: activityRequest.idempotencyKey }, headers: { authorization: BEARER, accept: 'application/json' } })
      .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { data: eachLike({ id: like('wd_1f0c0000-0000-4000-8000-000000000003'), externalKey: activityRequest.idempotencyKey }) } })
      .executeTest(async (server) => {
        expect(await connector(server.url).lookup(activityRequest)).toEqual({ externalRef: 'wd_1f0c0000-0000-4000-8000-000000000003' });
      });
  });

  it('looks an enrolment up by our external key: absent', async () => {
    const request = requestOf(PROVIDER, enrolment, REFRESH);
    const write = toWorkdayWrite(enrolment, request.idempotencyKey);
    await withRefreshGrant(pact())
      .given(...registered)
      .uponReceiving('a lookup of an enrolment that does not exist')
      .withRequest({
        method: 'GET',
        path: `/ccx/api/v1/${TENANT}/workers/${write.workerId}/programEnrollments`,
        query: { externalKey: request.idempotencyKey },
        headers: { authorization: BEARER, accept: 'application/json' },
      })
      .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { data: [] } })
      .executeTest(async (server) => {
        expect(await connector(server.url).lookup(request)).toBeNull();
      });
  });

  it('a token Workday refuses (401), even after one refresh, is an auth failure', async () => {
    const p = withRefreshGrant(pact());
    await activityInteraction(p, 'the access tokens are revoked', 'a volunteer activity with a revoked access token', {
      status: 401,
      headers: { 'www-authenticate': like('Bearer error="invalid_token"') },
      body: errorBody('invalid_token'),
    }).executeTest(async (server) => {
      expect(await failureOf(connector(server.url).deliver(activityRequest))).toMatchObject({ code: 'PLATFORM_AUTH_FAILED', retryable: false });
    });
  });

  it('a refused write (422) is a final rejection', async () => {
    await activityInteraction(withRefreshGrant(pact()), 'the next API request answers 422', 'a volunteer activity Workday refuses', {
      status: 422,
      body: errorBody('validation_failed'),
    }).executeTest(async (server) => {
      expect(await connector(server.url).deliver(activityRequest)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
    });
  });

  it('a conflict (409) is a final rejection', async () => {
    await activityInteraction(withRefreshGrant(pact()), 'the next API request answers 409', 'a volunteer activity Workday answers with a conflict', {
      status: 409,
      body: errorBody('conflict'),
    }).executeTest(async (server) => {
      expect(await connector(server.url).deliver(activityRequest)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
    });
  });

  it('over the rate limit: 429 with Retry-After, retryable after that long', async () => {
    await activityInteraction(withRefreshGrant(pact()), 'the tenant has used its requests of this minute', 'a volunteer activity over the rate limit', {
      status: 429,
      headers: { 'retry-after': RETRY_AFTER },
      body: errorBody('rate_limited'),
    }).executeTest(async (server) => {
      expect(await failureOf(connector(server.url).deliver(activityRequest))).toMatchObject({ code: 'PLATFORM_RATE_LIMITED', retryable: true, retryAfterMs: 30_000 });
    });
  });

  it('a server error (502) is retryable: the platform is unavailable', async () => {
    await activityInteraction(withRefreshGrant(pact()), 'the next API request answers 502', 'a volunteer activity while Workday is unavailable', {
      status: 502,
      body: errorBody('bad_gateway'),
    }).executeTest(async (server) => {
      expect(await failureOf(connector(server.url).deliver(activityRequest))).toMatchObject({ code: 'PLATFORM_UNAVAILABLE', retryable: true });
    });
  });

  it('the pact equals the committed contract (no drift)', () => {
    const { generated, committed } = driftOf(PROVIDER);
    expect(generated).toEqual(committed);
  });
});
