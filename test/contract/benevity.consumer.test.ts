/**
 * What must hold: every request the Benevity connector makes, and every answer it relies on, is
 * written down as a pact (contracts/pacts/impact-in-benevity.json) that equals the committed one —
 * the client-credentials grant (and a refused client), donations, the volunteer-hours import and
 * its job, lookups, and the error shapes (401, 409, 422, 429 with Retry-After, 5xx). The import's
 * completion callback is a message pact of its own (benevity-callback.consumer.test.ts).
 */
import { MatchersV3, PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBenevityConnector } from '../../src/connectors/benevity/benevity.connector.ts';
import { toBenevityDonation, toBenevityHoursRecord } from '../../src/connectors/benevity/benevity.mapper.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { contactBox } from '../unit/redacted-fixtures.ts';
import { BEARER, dispatcher, failureOf, IDEMPOTENCY_KEY, ISO_TIME, JSON_RESPONSE, requestOf, RETRY_AFTER, sampleEvent } from './helpers/consumer.ts';
import { asJson } from './helpers/provider.ts';
import { CONSUMER, driftOf, freshPactFile, GENERATED_PACTS } from './helpers/pact-files.ts';

const { like, eachLike, integer, regex, fromProviderState } = MatchersV3;
const PROVIDER = 'benevity';
/** The client the provider side registers; a sandbox run registers its own (README, Contracts). */
const CREDENTIALS = { clientId: 'impact-in-contract', clientSecret: 'contract-client-secret', callbackSecret: 'contract-callback-secret-0123456789' };
const UNKNOWN_CLIENT = { ...CREDENTIALS, clientId: 'client-benevity-does-not-know' };
const basic = (c: { clientId: string; clientSecret: string }) => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
const CALLBACK_URL = 'https://impact-in.example.com/callbacks/benevity/acme';
const JOB_ID = 'job_6d1f4a2e-0000-4000-8000-000000000001';

const donation = sampleEvent('donation');
const hours = sampleEvent('volunteer_activity');
const donationRequest = requestOf(PROVIDER, donation, CREDENTIALS);
const donationBody = toBenevityDonation(donation as Extract<RedactedEvent, { kind: 'donation' }>, donationRequest.idempotencyKey);
const hoursRequest = requestOf(PROVIDER, hours, CREDENTIALS);
const hoursRecord = toBenevityHoursRecord(hours as Extract<RedactedEvent, { kind: 'volunteer_activity' }>, hoursRequest.idempotencyKey);
const registered = ['the OAuth client is registered', { clientId: CREDENTIALS.clientId }] as const;
// The connector relies on the error's shape, not on Benevity's exact words: codes match by type.
const errorBody = (code: string) => ({ error: like(code), message: like('what went wrong') });
const storedDonation = (id: string) => ({ id: like(id), status: 'accepted', ...donationBody, createdAt: ISO_TIME });

function pact() {
  return new PactV3({ consumer: CONSUMER, provider: PROVIDER, dir: GENERATED_PACTS, logLevel: 'warn', spec: SpecificationVersion.SPECIFICATION_VERSION_V4 });
}

function connector(baseUrl: string) {
  return createBenevityConnector({
    baseUrl,
    dispatcher,
    allowPrivateHosts: true,
    gate: createPreSendGate(),
    contactBox,
    callbackUrl: () => CALLBACK_URL,
    tokenRefreshMarginMs: 60_000,
    // A lookup of hours believes "absent" at once: the contract is one request, not the wait.
    importSettleMs: 0,
  });
}

function tokenRequest(client: { clientId: string; clientSecret: string }) {
  return {
    method: 'POST',
    path: '/oauth2/token',
    headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'grant_type=client_credentials',
    contentType: 'application/x-www-form-urlencoded',
  };
}

/** The client-credentials grant every API interaction starts with (its own interaction in the pact). */
function withToken(p: PactV3): PactV3 {
  return p
    .given(...registered)
    .uponReceiving('a client-credentials grant')
    .withRequest(tokenRequest(CREDENTIALS))
    .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { access_token: like('benevity-access-token-example'), token_type: 'Bearer', expires_in: integer(3600) } });
}

const apiHeaders = (key?: string, body = true) => ({
  authorization: BEARER,
  accept: 'application/json',
  ...(key === undefined ? {} : { 'idempotency-key': IDEMPOTENCY_KEY(key) }),
  ...(body ? { 'content-type': 'application/json' } : {}),
});

/** The donation write answered by `response`, under `state`. */
function donationInteraction(state: string, description: string, response: { status: number; headers?: Record<string, unknown>; body: unknown }) {
  return withToken(pact())
    .given(state, { clientId: CREDENTIALS.clientId })
    .uponReceiving(description)
    .withRequest({ method: 'POST', path: '/v1/donations', headers: apiHeaders(donationRequest.idempotencyKey), body: donationBody })
    .willRespondWith({ status: response.status, headers: { ...JSON_RESPONSE, ...(response.headers as Record<string, never>) }, body: response.body });
}

beforeAll(() => freshPactFile(PROVIDER));

afterAll(async () => {
  await dispatcher.close();
});

describe('benevity consumer contract', () => {
  it('client-credentials grant, then a donation with our key in its metadata', async () => {
    await donationInteraction(registered[0], 'a donation', { status: 201, body: storedDonation('don_3c9e0000-0000-4000-8000-000000000001') }).executeTest(async (server) => {
      expect(await connector(server.url).deliver(donationRequest)).toEqual({ status: 'delivered', externalRef: 'don_3c9e0000-0000-4000-8000-000000000001' });
    });
  });

  it('a client Benevity does not know (401 invalid_client) is an auth failure', async () => {
    const request = requestOf(PROVIDER, donation, UNKNOWN_CLIENT);
    await pact()
      .given(...registered)
      .uponReceiving('a client-credentials grant for an unknown client')
      .withRequest(tokenRequest(UNKNOWN_CLIENT))
      .willRespondWith({ status: 401, headers: JSON_RESPONSE, body: { error: 'invalid_client', error_description: like('unknown client') } })
      .executeTest(async (server) => {
        expect((await failureOf(connector(server.url).deliver(request))).code).toBe('PLATFORM_AUTH_FAILED');
      });
  });

  it('submits volunteer hours as a one-record import with our callback URL', async () => {
    await withToken(pact())
      .given(...registered)
      .uponReceiving('a volunteer-hours import of one record')
      .withRequest({
        method: 'POST',
        path: '/v1/volunteer-hours/imports',
        headers: apiHeaders(hoursRequest.idempotencyKey),
        body: { callbackUrl: regex('^https?://\\S+$', CALLBACK_URL), records: [hoursRecord] },
      })
      .willRespondWith({ status: 202, headers: JSON_RESPONSE, body: { jobId: like(JOB_ID), status: 'queued', recordCount: 1 } })
      .executeTest(async (server) => {
        expect(await connector(server.url).deliver(hoursRequest)).toEqual({ status: 'submitted', jobId: JOB_ID, recordIndex: 0 });
      });
  });

  it('reads a completed import job and its per-record results', async () => {
    await withToken(pact())
      .given('an import job with one accepted record has completed', { clientId: CREDENTIALS.clientId, record: asJson(hoursRecord) })
      .uponReceiving('a read of a completed import job')
      .withRequest({ method: 'GET', path: fromProviderState('/v1/volunteer-hours/imports/${jobId}', `/v1/volunteer-hours/imports/${JOB_ID}`), headers: apiHeaders(undefined, false) })
      .willRespondWith({
        status: 200,
        headers: JSON_RESPONSE,
        body: {
          jobId: fromProviderState('${jobId}', JOB_ID),
          status: 'completed',
          recordCount: 1,
          submittedAt: ISO_TIME,
          completedAt: ISO_TIME,
          results: [{ index: 0, externalId: hoursRecord.externalId, status: 'accepted', id: like('vh_0a7b0000-0000-4000-8000-000000000001') }],
        },
      })
      .executeTest(async (server) => {
        expect(await connector(server.url).readJob(JOB_ID, CREDENTIALS)).toEqual({
          status: 'completed',
          results: [{ index: 0, externalId: hoursRecord.externalId, outcome: { status: 'delivered', externalRef: 'vh_0a7b0000-0000-4000-8000-000000000001' } }],
        });
      });
  });

  it('reads an import job Benevity does not know: 404', async () => {
    await withToken(pact())
      .given(...registered)
      .uponReceiving('a read of an unknown import job')
      .withRequest({ method: 'GET', path: `/v1/volunteer-hours/imports/${JOB_ID}`, headers: apiHeaders(undefined, false) })
      .willRespondWith({ status: 404, headers: JSON_RESPONSE, body: errorBody('not_found') })
      .executeTest(async (server) => {
        expect(await connector(server.url).readJob(JOB_ID, CREDENTIALS)).toEqual({ status: 'not_found' });
      });
  });

  it('looks a donation up by our key in its metadata: found', async () => {
    await withToken(pact())
      .given('a donation with this idempotency key exists', { clientId: CREDENTIALS.clientId, donation: asJson(donationBody) })
      .uponReceiving('a search of donations by metadata that finds one')
      .withRequest({
        method: 'GET',
        path: '/v1/donations',
        query: { metadataKey: 'impactInIdempotencyKey', metadataValue: donationRequest.idempotencyKey },
        headers: apiHeaders(undefined, false),
      })
      .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { data: eachLike(storedDonation('don_3c9e0000-0000-4000-8000-000000000002')) } })
      .executeTest(async (server) => {
        expect(await connector(server.url).lookup(donationRequest)).toEqual({ externalRef: 'don_3c9e0000-0000-4000-8000-000000000002' });
      });
  });

  it('looks volunteer hours up by our externalId: found, then absent', async () => {
    await withToken(pact())
      .given('volunteer hours with this externalId were imported', { clientId: CREDENTIALS.clientId, record: asJson(hoursRecord) })
      .uponReceiving('a lookup of imported volunteer hours')
      .withRequest({ method: 'GET', path: '/v1/volunteer-hours', query: { externalId: hoursRecord.externalId }, headers: apiHeaders(undefined, false) })
      .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { data: eachLike({ id: like('vh_0a7b0000-0000-4000-8000-000000000002'), externalId: hoursRecord.externalId }) } })
      .executeTest(async (server) => {
        expect(await connector(server.url).lookup(hoursRequest)).toEqual({ externalRef: 'vh_0a7b0000-0000-4000-8000-000000000002' });
      });
    await withToken(pact())
      .given(...registered)
      .uponReceiving('a lookup of volunteer hours never imported')
      .withRequest({ method: 'GET', path: '/v1/volunteer-hours', query: { externalId: hoursRecord.externalId }, headers: apiHeaders(undefined, false) })
      .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { data: [] } })
      .executeTest(async (server) => {
        expect(await connector(server.url).lookup(hoursRequest)).toBeNull();
      });
  });

  it('a token Benevity refuses (401), even after one refresh, is an auth failure', async () => {
    await donationInteraction('the access tokens are revoked', 'a donation with a revoked access token', {
      status: 401,
      headers: { 'www-authenticate': like('Bearer error="invalid_token"') },
      body: errorBody('invalid_token'),
    }).executeTest(async (server) => {
      expect(await failureOf(connector(server.url).deliver(donationRequest))).toMatchObject({ code: 'PLATFORM_AUTH_FAILED', retryable: false });
    });
  });

  it('a refused donation (422) is a final rejection', async () => {
    await donationInteraction('the next donation answers 422', 'a donation Benevity refuses', { status: 422, body: errorBody('validation_failed') }).executeTest(async (server) => {
      expect(await connector(server.url).deliver(donationRequest)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
    });
  });

  it('a conflict (409) is a final rejection', async () => {
    await donationInteraction('the next donation answers 409', 'a donation Benevity answers with a conflict', { status: 409, body: errorBody('conflict') }).executeTest(async (server) => {
      expect(await connector(server.url).deliver(donationRequest)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
    });
  });

  it('over the rate limit: 429 with Retry-After, retryable after that long', async () => {
    await donationInteraction('the next donation answers 429 with Retry-After', 'a donation over the rate limit', {
      status: 429,
      headers: { 'retry-after': RETRY_AFTER },
      body: errorBody('rate_limited'),
    }).executeTest(async (server) => {
      expect(await failureOf(connector(server.url).deliver(donationRequest))).toMatchObject({ code: 'PLATFORM_RATE_LIMITED', retryable: true, retryAfterMs: 30_000 });
    });
  });

  it('a server error (500) is retryable: the platform is unavailable', async () => {
    await donationInteraction('the next donation answers 500', 'a donation while Benevity fails', { status: 500, body: errorBody('internal_error') }).executeTest(async (server) => {
      expect(await failureOf(connector(server.url).deliver(donationRequest))).toMatchObject({ code: 'PLATFORM_UNAVAILABLE', retryable: true });
    });
  });

  it('the pact equals the committed contract (no drift)', () => {
    const { generated, committed } = driftOf(PROVIDER);
    expect(generated).toEqual(committed);
  });
});
