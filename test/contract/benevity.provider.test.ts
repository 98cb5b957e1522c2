/**
 * What must hold: the Benevity simulator honours every interaction of the committed Benevity pact
 * (contracts/pacts/impact-in-benevity.json) over real HTTP. Provider states are set up through the
 * simulator: its OAuth client, real donations and imports (a completed job's id is handed back to
 * the pact as a provider-state value), token revocation and injected faults. The pact's example
 * bearer token is swapped for one the simulator issued (a request filter).
 */
import { Verifier } from '@pact-foundation/pact';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { COMMITTED_PACTS, pactFileName } from './helpers/pact-files.ts';
import { stateParams, swapBearer } from './helpers/provider.ts';

const CLIENT = { clientId: 'impact-in-contract', clientSecret: 'contract-client-secret' };
/** Nothing listens there: the seeded imports' callbacks fail at once (the callback has its own pact). */
const NO_RECEIVER = 'http://127.0.0.1:9/callbacks/benevity/contract';
let sim: BenevitySimulator;
let revokedToken: string | undefined;

beforeAll(async () => {
  sim = await startBenevitySimulator({
    clients: { [CLIENT.clientId]: CLIENT.clientSecret },
    importDelayMs: 10,
    callbackMaxRetries: 0,
    callbackTimeoutMs: 1_000,
  });
});

afterAll(async () => {
  await sim?.close();
});

async function liveToken(): Promise<string> {
  const response = await fetch(`${sim.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await liveToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Imports one record for real and waits until the job has run. */
async function importRecord(record: unknown): Promise<string> {
  const submitted = await post('/v1/volunteer-hours/imports', { callbackUrl: NO_RECEIVER, records: [record] });
  expect(submitted.status).toBe(202);
  await sim.settled();
  return String(submitted.json['jobId']);
}

const fault = (status: number, retryAfterSeconds?: number) => async () =>
  void sim.injectFault({ route: 'donation', kind: 'status', status, count: 1, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });

describe('benevity provider verification', () => {
  it('the simulator honours the committed pact', async () => {
    const verified = new Verifier({
      provider: 'benevity',
      providerBaseUrl: sim.url,
      pactUrls: [join(COMMITTED_PACTS, pactFileName('benevity'))],
      logLevel: 'warn',
      beforeEach: async () => {
        sim.reset();
        revokedToken = undefined;
      },
      requestFilter: swapBearer(async () => revokedToken ?? liveToken()),
      stateHandlers: {
        'the OAuth client is registered': async () => undefined,
        'a donation with this idempotency key exists': async (params) => {
          const { donation } = stateParams(params, ['donation']);
          expect((await post('/v1/donations', donation)).status).toBe(201);
        },
        'an import job with one accepted record has completed': async (params) => {
          const { record } = stateParams(params, ['record']);
          return { jobId: await importRecord(record) };
        },
        'volunteer hours with this externalId were imported': async (params) => {
          const { record } = stateParams(params, ['record']);
          await importRecord(record);
        },
        'the access tokens are revoked': async () => {
          revokedToken = await liveToken();
          sim.revokeTokens();
        },
        'the next donation answers 422': fault(422),
        'the next donation answers 409': fault(409),
        'the next donation answers 429 with Retry-After': fault(429, 30),
        'the next donation answers 500': fault(500),
      },
    }).verifyProvider();
    await expect(verified).resolves.toBeDefined();
  });
});
