import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBenevitySimulator } from '../../../../src/simulators/benevity/index.ts';
import type { BenevitySimulator } from '../../../../src/simulators/benevity/index.ts';
import { call } from '../helpers.ts';
import { CLIENT_A, CLIENT_B, T0, accessToken, authed, basic, donation, errorOf, requestToken } from './helpers.ts';

describe('Benevity simulator OAuth2 client credentials', () => {
  let agent: Agent;
  let sim: BenevitySimulator;
  let current = T0;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  beforeEach(async () => {
    current = T0;
    sim = await startBenevitySimulator({
      clients: { [CLIENT_A.id]: CLIENT_A.secret, [CLIENT_B.id]: CLIENT_B.secret },
      now: () => current,
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  const donate = (token: string) => authed(sim.url, token, '/v1/donations', { dispatcher: agent, body: donation() });

  it('issues a Bearer token for 3600 s to a known client and counts it', async () => {
    const result = await requestToken(sim.url, agent);
    expect(result.status).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    expect(result.body).toEqual({ access_token: expect.stringMatching(/^[\w-]{32}$/), token_type: 'Bearer', expires_in: 3600 });
    await requestToken(sim.url, agent, CLIENT_B);
    await requestToken(sim.url, agent, CLIENT_B);
    expect(sim.stats().tokens).toEqual({
      issued: 3,
      bySubject: { 'client-a': 1, 'client-b': 2 },
      active: 3,
      revocations: 0,
    });
  });

  it('honours tokenTtlSeconds', async () => {
    await sim.close();
    sim = await startBenevitySimulator({ clients: { [CLIENT_A.id]: CLIENT_A.secret }, tokenTtlSeconds: 60 });
    expect((await requestToken(sim.url, agent)).body).toMatchObject({ expires_in: 60 });
  });

  it('accepts a token until it expires by the injected clock, then answers 401 invalid_token', async () => {
    const token = await accessToken(sim.url, agent);
    current = T0 + 3_599_999;
    expect((await donate(token)).status).toBe(201);
    current = T0 + 3_600_000;
    const expired = await donate(token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: 'invalid_token', message: 'the access token is invalid or expired' });
    expect(expired.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(sim.stats().accepted).toBe(1);
  });

  it.each([
    ['a wrong secret', basic(CLIENT_A.id, 'nope'), 'unknown client'],
    ['an unknown client', basic('stranger', CLIENT_A.secret), 'unknown client'],
    ['no Basic header', undefined, 'HTTP Basic client authentication is required'],
    ['a malformed Basic header', 'Basic !!!', 'HTTP Basic client authentication is required'],
  ])('answers 401 invalid_client for %s and issues nothing', async (_name, authorization, description) => {
    const result = await call(sim.url, '/oauth2/token', {
      dispatcher: agent,
      body: 'grant_type=client_credentials',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization === undefined ? {} : { authorization }),
      },
    });
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ error: 'invalid_client', error_description: description });
    expect(result.headers['www-authenticate']).toBe('Basic realm="benevity"');
    expect(sim.stats().tokens.issued).toBe(0);
  });

  it('answers 400 unsupported_grant_type for another grant, 400 invalid_request for a JSON body', async () => {
    const password = await requestToken(sim.url, agent, CLIENT_A, 'grant_type=password&username=x');
    expect(password.status).toBe(400);
    expect(errorOf(password.body)).toBe('unsupported_grant_type');
    const json = await call(sim.url, '/oauth2/token', {
      dispatcher: agent,
      body: { grant_type: 'client_credentials' },
      headers: { authorization: basic(CLIENT_A.id, CLIENT_A.secret) },
    });
    expect(json.status).toBe(400);
    expect(errorOf(json.body)).toBe('invalid_request');
    expect(sim.stats().tokens.issued).toBe(0);
  });

  it.each([
    ['POST', '/v1/donations'],
    ['GET', '/v1/donations/don_x'],
    ['GET', '/v1/donations?metadataKey=impactInIdempotencyKey&metadataValue=x'],
    ['POST', '/v1/volunteer-hours/imports'],
    ['GET', '/v1/volunteer-hours/imports/job_x'],
    ['GET', '/v1/volunteer-hours?externalId=x'],
  ] as const)('refuses %s %s without a bearer token or with an unknown one', async (method, path) => {
    const body = method === 'POST' ? donation() : undefined;
    const none = await call(sim.url, path, { dispatcher: agent, method, body });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: 'invalid_token', message: 'a bearer token is required' });
    const unknown = await authed(sim.url, 'not-a-token', path, { dispatcher: agent, method, body });
    expect(unknown.status).toBe(401);
    expect(sim.stats().accepted).toBe(0);
  });

  it('revokeTokens() invalidates every token; a fresh token then works (401 → refresh once → retry)', async () => {
    const first = await accessToken(sim.url, agent);
    const other = await accessToken(sim.url, agent, CLIENT_B);
    expect(sim.revokeTokens()).toBe(2);
    expect((await donate(first)).status).toBe(401);
    expect((await donate(other)).status).toBe(401);
    const fresh = await accessToken(sim.url, agent);
    expect(fresh).not.toBe(first);
    expect((await donate(fresh)).status).toBe(201);
    expect(sim.stats().tokens).toMatchObject({ issued: 3, active: 1, revocations: 1 });
  });

  it('POST /__sim/revoke-tokens revokes over the control API and stats show the token counts', async () => {
    const token = await accessToken(sim.url, agent);
    const revoked = await call(sim.url, '/__sim/revoke-tokens', { dispatcher: agent, method: 'POST' });
    expect(revoked).toMatchObject({ status: 200, body: { revoked: 1 } });
    expect((await donate(token)).status).toBe(401);
    const stats = await call(sim.url, '/__sim/stats', { dispatcher: agent });
    expect(stats.body).toMatchObject({ tokens: { issued: 1, active: 0, revocations: 1 }, requests: { donation: { '401': 1 } } });
  });

  it('reset() clears token counters but keeps issued tokens valid', async () => {
    const token = await accessToken(sim.url, agent);
    sim.reset();
    expect(sim.stats().tokens).toEqual({ issued: 0, bySubject: {}, active: 1, revocations: 0 });
    expect((await donate(token)).status).toBe(201);
  });
});
