/**
 * What must hold: the Workday simulator honours every interaction of the committed Workday pact
 * (contracts/pacts/impact-in-workday.json) over real HTTP. Provider states are set up through the
 * simulator: its tenant registration, a real write, token revocation, its per-tenant rate limit
 * (20/min here) and injected faults. The pact's example bearer token is swapped for one the
 * simulator issued (a request filter), since an access token is only valid where it was issued.
 */
import { Verifier } from '@pact-foundation/pact';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../src/simulators/workday/index.ts';
import { COMMITTED_PACTS, pactFileName } from './helpers/pact-files.ts';
import { stateParams, swapBearer } from './helpers/provider.ts';

const TENANT = 'acme_contract';
const CLIENT = { clientId: 'impact-in-contract', clientSecret: 'contract-client-secret', refreshToken: 'contract-refresh-token' };
const RATE_LIMIT_PER_MINUTE = 20;
let sim: WorkdaySimulator;
/** Set by the revoked-tokens state: the filter sends this (revoked) token instead of a live one. */
let revokedToken: string | undefined;

beforeAll(async () => {
  sim = await startWorkdaySimulator({ tenants: { [TENANT]: CLIENT }, rateLimitPerMinute: RATE_LIMIT_PER_MINUTE });
});

afterAll(async () => {
  await sim?.close();
});

async function liveToken(): Promise<string> {
  const response = await fetch(`${sim.url}/ccx/oauth2/${TENANT}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: CLIENT.refreshToken }).toString(),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await liveToken()}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response.status;
}

const fault = (status: number) => async () => void sim.injectFault({ route: 'activity', kind: 'status', status, count: 1 });

describe('workday provider verification', () => {
  it('the simulator honours the committed pact', async () => {
    const verified = new Verifier({
      provider: 'workday',
      providerBaseUrl: sim.url,
      pactUrls: [join(COMMITTED_PACTS, pactFileName('workday'))],
      logLevel: 'warn',
      beforeEach: async () => {
        sim.reset();
        revokedToken = undefined;
      },
      requestFilter: swapBearer(async () => revokedToken ?? liveToken()),
      stateHandlers: {
        "the tenant's API client is registered": async () => undefined,
        'a volunteer activity with this external key exists': async (params) => {
          const { tenant, workerId, record } = stateParams(params, ['tenant', 'workerId', 'record']);
          expect(await api('POST', `/ccx/api/v1/${String(tenant)}/workers/${String(workerId)}/volunteerActivities`, record)).toBe(201);
        },
        'the access tokens are revoked': async () => {
          revokedToken = await liveToken();
          sim.revokeTokens();
        },
        'the next API request answers 422': fault(422),
        'the next API request answers 409': fault(409),
        'the next API request answers 502': fault(502),
        // The simulator's real per-tenant limiter: lookups use up the tenant's minute.
        'the tenant has used its requests of this minute': async (params) => {
          const { tenant } = stateParams(params, ['tenant']);
          for (let i = 0; i < RATE_LIMIT_PER_MINUTE; i++) {
            expect(await api('GET', `/ccx/api/v1/${String(tenant)}/workers/${'0'.repeat(64)}/volunteerActivities?externalKey=warm-up`)).toBe(200);
          }
        },
      },
    }).verifyProvider();
    await expect(verified).resolves.toBeDefined();
  });
});
