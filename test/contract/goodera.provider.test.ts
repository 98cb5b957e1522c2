/**
 * What must hold: the Goodera simulator honours every interaction of the committed Goodera pact
 * (contracts/pacts/impact-in-goodera.json) over real HTTP, each provider state set up through the
 * simulator itself — its API keys, a real write, its 100 requests/min limit, injected faults.
 */
import { Verifier } from '@pact-foundation/pact';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGooderaSimulator, type GooderaSimulator } from '../../src/simulators/goodera/index.ts';
import { COMMITTED_PACTS, pactFileName } from './helpers/pact-files.ts';
import { stateParams } from './helpers/provider.ts';

const API_KEY = 'contract-test-api-key';
let sim: GooderaSimulator;

beforeAll(async () => {
  sim = await startGooderaSimulator({ apiKeys: { [API_KEY]: 'contract' }, rateLimitPerMinute: 100 });
});

afterAll(async () => {
  await sim?.close();
});

async function post(path: string, apiKey: string, body: unknown): Promise<number> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('goodera provider verification', () => {
  it('the simulator honours the committed pact', async () => {
    const verified = new Verifier({
      provider: 'goodera',
      providerBaseUrl: sim.url,
      pactUrls: [join(COMMITTED_PACTS, pactFileName('goodera'))],
      logLevel: 'warn',
      beforeEach: async () => sim.reset(),
      stateHandlers: {
        'the API key is registered': async () => undefined,
        'the API key is not registered': async () => undefined,
        'an impact record with this externalId exists': async (params) => {
          const { apiKey, record } = stateParams(params, ['apiKey', 'record']);
          expect(await post('/v1/impact-records', String(apiKey), record)).toBe(201);
        },
        'the next write answers 409': async () => void sim.injectFault({ route: '*', kind: 'status', status: 409, count: 1 }),
        'the next write answers 503': async () => void sim.injectFault({ route: '*', kind: 'status', status: 503, count: 1 }),
        // The real limiter, not a fault: 100 lookups use up the key's minute.
        'the API key has used its requests of this minute': async (params) => {
          const { apiKey } = stateParams(params, ['apiKey']);
          for (let i = 0; i < 100; i++) {
            const response = await fetch(`${sim.url}/v1/impact-records?externalId=warm-up`, { headers: { 'x-api-key': String(apiKey) } });
            await response.arrayBuffer();
            expect(response.status).toBe(200);
          }
        },
      },
    }).verifyProvider();
    await expect(verified).resolves.toBeDefined();
  });
});
