/**
 * What must hold: every request the Goodera connector makes, and every answer it relies on, is
 * written down as a pact (contracts/pacts/impact-in-goodera.json) that equals the committed one —
 * writes, batch, lookups, the x-api-key auth and the error shapes (401, 409, 422, 429, 5xx).
 */
import { MatchersV3, PactV3, SpecificationVersion } from '@pact-foundation/pact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGooderaConnector } from '../../src/connectors/goodera/goodera.connector.ts';
import { toGooderaRecord } from '../../src/connectors/goodera/goodera.mapper.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { dispatcher, failureOf, IDEMPOTENCY_KEY, ISO_TIME, JSON_REQUEST, JSON_RESPONSE, requestOf, RETRY_AFTER, sampleEvent } from './helpers/consumer.ts';
import { asJson } from './helpers/provider.ts';
import { CONSUMER, driftOf, freshPactFile, GENERATED_PACTS } from './helpers/pact-files.ts';

const { like, eachLike } = MatchersV3;
const PROVIDER = 'goodera';
/** The key the provider side registers; a sandbox run registers its own (README, Contracts). */
const CREDENTIALS = { apiKey: 'contract-test-api-key', organizationId: 'org-contract' };
const UNKNOWN_KEY = { apiKey: 'key-goodera-does-not-know', organizationId: 'org-contract' };

const activity = sampleEvent('volunteer_activity');
// Goodera names a dimension in at most 64 characters; our events allow an outcome of 128.
const longOutcome = sampleEvent('program_outcome', (e) => ({ ...e, payload: { ...e.payload, outcome: 'o'.repeat(65) } }));
const activityRequest = requestOf(PROVIDER, activity, CREDENTIALS);
const activityRecord = toGooderaRecord(activity, activityRequest.idempotencyKey, CREDENTIALS);
const created = (externalId: string) => ({
  id: like('gdr_5b0a1c9e-0000-4000-8000-000000000001'),
  externalId,
  status: 'accepted',
  createdAt: ISO_TIME,
});
// The connector relies on the error's shape, not on Goodera's exact words: codes match by type.
const errorBody = (code: string) => ({ error: { code: like(code), message: like('what went wrong') } });
const writeHeaders = (key: string, apiKey = CREDENTIALS.apiKey) => ({ ...JSON_REQUEST, 'x-api-key': apiKey, 'idempotency-key': IDEMPOTENCY_KEY(key) });

function pact() {
  return new PactV3({ consumer: CONSUMER, provider: PROVIDER, dir: GENERATED_PACTS, logLevel: 'warn', spec: SpecificationVersion.SPECIFICATION_VERSION_V4 });
}

function connector(baseUrl: string) {
  return createGooderaConnector({ baseUrl, dispatcher, allowPrivateHosts: true, gate: createPreSendGate() });
}

/** One create interaction answered by `response`, under `state`. */
function createInteraction(state: string, description: string, response: { status: number; headers?: Record<string, unknown>; body: unknown }, apiKey = CREDENTIALS.apiKey) {
  return pact()
    .given(state, { apiKey })
    .uponReceiving(description)
    .withRequest({ method: 'POST', path: '/v1/impact-records', headers: writeHeaders(activityRequest.idempotencyKey, apiKey), body: activityRecord })
    .willRespondWith({ status: response.status, headers: { ...JSON_RESPONSE, ...(response.headers as Record<string, never>) }, body: response.body });
}

beforeAll(() => freshPactFile(PROVIDER));

afterAll(async () => {
  await dispatcher.close();
});

describe('goodera consumer contract', () => {
  it('creates one impact record and reads back its id', async () => {
    await createInteraction('the API key is registered', 'a request to create an impact record', {
      status: 201,
      body: created(activityRequest.idempotencyKey),
    }).executeTest(async (server) => {
      const outcome = await connector(server.url).deliver(activityRequest);
      expect(outcome).toEqual({ status: 'delivered', externalRef: 'gdr_5b0a1c9e-0000-4000-8000-000000000001' });
    });
  });

  it('sends a batch and takes each record its own outcome (one accepted, one refused)', async () => {
    const outcomeRequest = requestOf(PROVIDER, longOutcome, CREDENTIALS);
    const records = [activityRecord, toGooderaRecord(longOutcome, outcomeRequest.idempotencyKey, CREDENTIALS)];
    await pact()
      .given('the API key is registered', { apiKey: CREDENTIALS.apiKey })
      .uponReceiving('a batch of two records, the second with a dimension name Goodera refuses')
      .withRequest({ method: 'POST', path: '/v1/impact-records/batch', headers: writeHeaders('0'.repeat(64)), body: { records } })
      .willRespondWith({
        status: 207,
        headers: JSON_RESPONSE,
        body: {
          results: [
            { index: 0, externalId: activityRequest.idempotencyKey, status: 'accepted', id: like('gdr_5b0a1c9e-0000-4000-8000-000000000002') },
            { index: 1, externalId: outcomeRequest.idempotencyKey, status: 'rejected', error: errorBody('validation_failed').error },
          ],
        },
      })
      .executeTest(async (server) => {
        const outcomes = await connector(server.url).deliverBatch([activityRequest, outcomeRequest]);
        expect(outcomes[0]).toEqual({ status: 'delivered', externalRef: 'gdr_5b0a1c9e-0000-4000-8000-000000000002' });
        expect(outcomes[1]).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
      });
  });

  it('looks a record up by our externalId: found', async () => {
    await pact()
      .given('an impact record with this externalId exists', { apiKey: CREDENTIALS.apiKey, record: asJson(activityRecord) })
      .uponReceiving('a lookup of a record that exists')
      .withRequest({
        method: 'GET',
        path: '/v1/impact-records',
        query: { externalId: activityRequest.idempotencyKey },
        headers: { accept: 'application/json', 'x-api-key': CREDENTIALS.apiKey },
      })
      .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { data: eachLike({ id: like('gdr_5b0a1c9e-0000-4000-8000-000000000003'), externalId: activityRequest.idempotencyKey }) } })
      .executeTest(async (server) => {
        expect(await connector(server.url).lookup(activityRequest)).toEqual({ externalRef: 'gdr_5b0a1c9e-0000-4000-8000-000000000003' });
      });
  });

  it('looks a record up by our externalId: absent', async () => {
    await pact()
      .given('the API key is registered', { apiKey: CREDENTIALS.apiKey })
      .uponReceiving('a lookup of a record that does not exist')
      .withRequest({
        method: 'GET',
        path: '/v1/impact-records',
        query: { externalId: activityRequest.idempotencyKey },
        headers: { accept: 'application/json', 'x-api-key': CREDENTIALS.apiKey },
      })
      .willRespondWith({ status: 200, headers: JSON_RESPONSE, body: { data: [] } })
      .executeTest(async (server) => {
        expect(await connector(server.url).lookup(activityRequest)).toBeNull();
      });
  });

  it('an unknown API key gets 401: not retried as if the platform were down', async () => {
    const request = requestOf(PROVIDER, activity, UNKNOWN_KEY);
    await pact()
      .given('the API key is not registered', { apiKey: UNKNOWN_KEY.apiKey })
      .uponReceiving('a create with an API key Goodera does not know')
      .withRequest({ method: 'POST', path: '/v1/impact-records', headers: writeHeaders(request.idempotencyKey, UNKNOWN_KEY.apiKey), body: toGooderaRecord(activity, request.idempotencyKey, UNKNOWN_KEY) })
      .willRespondWith({ status: 401, headers: JSON_RESPONSE, body: errorBody('unauthorized') })
      .executeTest(async (server) => {
        expect((await failureOf(connector(server.url).deliver(request))).code).toBe('PLATFORM_AUTH_FAILED');
      });
  });

  it('a record Goodera refuses (422) is a final rejection naming its code', async () => {
    const request = requestOf(PROVIDER, longOutcome, CREDENTIALS);
    await pact()
      .given('the API key is registered', { apiKey: CREDENTIALS.apiKey })
      .uponReceiving('a create of a record with a dimension name over 64 characters')
      .withRequest({ method: 'POST', path: '/v1/impact-records', headers: writeHeaders(request.idempotencyKey), body: toGooderaRecord(longOutcome, request.idempotencyKey, CREDENTIALS) })
      .willRespondWith({ status: 422, headers: JSON_RESPONSE, body: errorBody('validation_failed') })
      .executeTest(async (server) => {
        const outcome = await connector(server.url).deliver(request);
        expect(outcome).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
        expect(outcome.status === 'rejected' && outcome.reason).toContain('validation_failed');
      });
  });

  it('a conflict (409) is a final rejection', async () => {
    await createInteraction('the next write answers 409', 'a create Goodera answers with a conflict', {
      status: 409,
      body: errorBody('conflict'),
    }).executeTest(async (server) => {
      expect(await connector(server.url).deliver(activityRequest)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED' });
    });
  });

  it('over the rate limit: 429 with Retry-After, retryable after that long', async () => {
    await createInteraction('the API key has used its requests of this minute', 'a create over the rate limit', {
      status: 429,
      headers: { 'retry-after': RETRY_AFTER },
      body: errorBody('rate_limited'),
    }).executeTest(async (server) => {
      const error = await failureOf(connector(server.url).deliver(activityRequest));
      expect(error).toMatchObject({ code: 'PLATFORM_RATE_LIMITED', retryable: true, retryAfterMs: 30_000 });
    });
  });

  it('a server error (503) is retryable: the platform is unavailable', async () => {
    await createInteraction('the next write answers 503', 'a create while Goodera is unavailable', {
      status: 503,
      body: errorBody('unavailable'),
    }).executeTest(async (server) => {
      expect(await failureOf(connector(server.url).deliver(activityRequest))).toMatchObject({ code: 'PLATFORM_UNAVAILABLE', retryable: true });
    });
  });

  it('the pact equals the committed contract (no drift)', () => {
    const { generated, committed } = driftOf(PROVIDER);
    expect(generated).toEqual(committed);
  });
});

