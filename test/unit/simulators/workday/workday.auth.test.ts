import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorkdaySimulator } from '../../../../src/simulators/workday/index.ts';
import type { WorkdaySimulator } from '../../../../src/simulators/workday/index.ts';
import { call } from '../helpers.ts';
import { ACME, GLOBEX, T0, TENANTS, accessToken, activitiesPath, activity, authed, basic, errorOf, requestToken } from './helpers.ts';

describe('Workday simulator OAuth2 per tenant', () => {
  let agent: Agent;
  let sim: WorkdaySimulator;
  let current = T0;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  beforeEach(async () => {
    current = T0;
    sim = await startWorkdaySimulator({ tenants: TENANTS, now: () => current });
  });
  afterEach(async () => {
    await sim.close();
  });

  const post = (token: string, tenant = 'acme') =>
    authed(sim.url, token, activitiesPath(tenant), { dispatcher: agent, body: activity() });

  it('issues a Bearer token for a refresh-token grant, returning the same refresh token', async () => {
    const result = await requestToken(sim.url, agent);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]{32}$/),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: 'acme-refresh',
    });
    await requestToken(sim.url, agent, 'globex', GLOBEX);
    await requestToken(sim.url, agent);
    expect(sim.stats().tokens).toMatchObject({ issued: 3, bySubject: { acme: 2, globex: 1 } });
  });

  it('issues a token for client_credentials (no refresh token) unless allowClientCredentials is false', async () => {
    const cc = await requestToken(sim.url, agent, 'acme', ACME, 'grant_type=client_credentials');
    expect(cc.status).toBe(200);
    expect(cc.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    await sim.close();
    sim = await startWorkdaySimulator({ tenants: TENANTS, allowClientCredentials: false, tokenTtlSeconds: 120 });
    const refused = await requestToken(sim.url, agent, 'acme', ACME, 'grant_type=client_credentials');
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body)).toBe('unsupported_grant_type');
    expect((await requestToken(sim.url, agent)).body).toMatchObject({ expires_in: 120 });
  });

  it.each([
    ['a wrong secret', 'acme', { ...ACME, clientSecret: 'nope' }],
    ["another tenant's client", 'acme', GLOBEX],
    ['an unknown tenant', 'initech', ACME],
  ])('answers 401 invalid_client for %s', async (_n, tenant, credentials) => {
    const result = await requestToken(sim.url, agent, tenant, credentials, `grant_type=refresh_token&refresh_token=${credentials.refreshToken}`);
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ error: 'invalid_client', error_description: 'unknown client' });
    expect(sim.stats().tokens.issued).toBe(0);
  });

  it('answers 400 invalid_grant for a wrong or missing refresh token', async () => {
    for (const form of ['grant_type=refresh_token&refresh_token=stale', 'grant_type=refresh_token']) {
      const result = await requestToken(sim.url, agent, 'acme', ACME, form);
      expect(result.status).toBe(400);
      expect(result.body).toEqual({ error: 'invalid_grant', error_description: 'the refresh token is invalid' });
    }
    const noBasic = await call(sim.url, '/ccx/oauth2/acme/token', {
      dispatcher: agent,
      body: 'grant_type=refresh_token&refresh_token=acme-refresh',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(noBasic.status).toBe(401);
    const json = await call(sim.url, '/ccx/oauth2/acme/token', {
      dispatcher: agent,
      body: { grant_type: 'refresh_token' },
      headers: { authorization: basic(ACME.clientId, ACME.clientSecret) },
    });
    expect(json.status).toBe(400);
    expect(errorOf(json.body)).toBe('invalid_request');
    expect(sim.stats().tokens.issued).toBe(0);
  });

  it('accepts a token until it expires by the injected clock, then 401 invalid_token', async () => {
    const token = await accessToken(sim.url, agent);
    current = T0 + 3_599_999;
    expect((await post(token)).status).toBe(201);
    current = T0 + 3_600_000;
    const expired = await post(token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: 'invalid_token', message: 'the access token is invalid or expired' });
    expect(expired.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it("refuses a token of tenant A on tenant B's path (tenant scoping)", async () => {
    const acme = await accessToken(sim.url, agent);
    const result = await post(acme, 'globex');
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ error: 'invalid_token', message: 'the access token was issued for another tenant' });
    const lookup = await authed(sim.url, acme, activitiesPath('globex', undefined, '?externalKey=evt-0001'), { dispatcher: agent });
    expect(lookup.status).toBe(401);
    expect(sim.stats().accepted).toBe(0);
  });

  it('refuses every API route without a token', async () => {
    for (const path of [activitiesPath(), activitiesPath('acme', undefined, '?externalKey=x')]) {
      const result = await call(sim.url, path, { dispatcher: agent, ...(path.includes('?') ? {} : { body: activity() }) });
      expect(result.status).toBe(401);
      expect(result.body).toEqual({ error: 'invalid_token', message: 'a bearer token is required' });
    }
  });

  it('revokeTokens() and POST /__sim/revoke-tokens invalidate tokens; a refreshed token works', async () => {
    const first = await accessToken(sim.url, agent);
    expect(sim.revokeTokens()).toBe(1);
    expect((await post(first)).status).toBe(401);
    const second = await accessToken(sim.url, agent);
    expect((await post(second)).status).toBe(201);
    const revoked = await call(sim.url, '/__sim/revoke-tokens', { dispatcher: agent, method: 'POST' });
    expect(revoked).toMatchObject({ status: 200, body: { revoked: 1 } });
    expect((await post(second)).status).toBe(401);
    expect(sim.stats().tokens).toMatchObject({ issued: 2, active: 0, revocations: 2 });
  });
});
