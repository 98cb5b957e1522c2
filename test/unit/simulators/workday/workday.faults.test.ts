import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorkdaySimulator } from '../../../../src/simulators/workday/index.ts';
import type { WorkdaySimulator, WorkdaySimulatorOptions } from '../../../../src/simulators/workday/index.ts';
import { call, networkCode, rejection } from '../helpers.ts';
import type { CallOptions } from '../helpers.ts';
import { GLOBEX, T0, TENANTS, accessToken, activitiesPath, activity, authed, enrollment, enrollmentsPath, errorOf, requestToken } from './helpers.ts';

describe('Workday simulator faults and rate limit', () => {
  let agent: Agent;
  let sim: WorkdaySimulator | undefined;
  let token: string;
  let current = T0;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  async function start(options: WorkdaySimulatorOptions = {}): Promise<WorkdaySimulator> {
    current = T0;
    sim = await startWorkdaySimulator({ tenants: TENANTS, now: () => current, ...options });
    token = await accessToken(sim.url, agent);
    return sim;
  }
  const send = (s: WorkdaySimulator, path: string, options: CallOptions = {}) =>
    authed(s.url, token, path, { dispatcher: agent, ...options });
  const post = (s: WorkdaySimulator, options: CallOptions = {}) => send(s, activitiesPath(), { body: activity(), ...options });
  const lookup = (s: WorkdaySimulator) => send(s, activitiesPath('acme', undefined, '?externalKey=evt-0001'));

  it('status 503 with Retry-After on activity: nothing stored', async () => {
    const s = await start();
    s.injectFault({ route: 'activity', kind: 'status', status: 503, retryAfterSeconds: 30, count: 1 });
    const result = await post(s);
    expect(result.status).toBe(503);
    expect(result.headers['retry-after']).toBe('30');
    expect(result.body).toEqual({ error: 'injected_fault', message: 'injected 503' });
    expect(s.stats().accepted).toBe(0);
    expect((await post(s)).status).toBe(201);
  });

  it('status 429 on enrollment only', async () => {
    const s = await start();
    s.injectFault({ route: 'enrollment', kind: 'status', status: 429, retryAfterSeconds: 2 });
    const limited = await send(s, enrollmentsPath(), { body: enrollment() });
    expect(limited.status).toBe(429);
    expect(errorOf(limited.body)).toBe('rate_limited');
    expect((await post(s)).status).toBe(201);
  });

  it('status 500 on the token route over the control API', async () => {
    const s = await start();
    const added = await call(s.url, '/__sim/faults', { dispatcher: agent, body: { route: 'token', kind: 'status', status: 500, count: 1 } });
    expect(added.status).toBe(201);
    expect((await requestToken(s.url, agent)).status).toBe(500);
    expect((await requestToken(s.url, agent)).status).toBe(200);
  });

  it('timeout on activity_lookup: never answers', async () => {
    const s = await start();
    s.injectFault({ route: 'activity_lookup', kind: 'timeout', count: 1 });
    expect(networkCode(await rejection(send(s, activitiesPath('acme', undefined, '?externalKey=x'), { headersTimeout: 200 })))).toBe(
      'UND_ERR_HEADERS_TIMEOUT',
    );
    expect(s.stats().requests['activity_lookup']).toEqual({ timeout: 1 });
  });

  it('reset on enrollment_lookup: ECONNRESET', async () => {
    const s = await start();
    s.injectFault({ route: 'enrollment_lookup', kind: 'reset', count: 1 });
    expect(networkCode(await rejection(send(s, enrollmentsPath('acme', undefined, '?externalKey=x'))))).toBe('ECONNRESET');
  });

  it('applied_response_lost on activity: client errors, the activity is stored and found by lookup', async () => {
    const s = await start();
    s.injectFault({ route: 'activity', kind: 'applied_response_lost', count: 1 });
    expect(networkCode(await rejection(post(s)))).toBe('ECONNRESET');
    expect(s.stats()).toMatchObject({ accepted: 1, requests: { activity: { applied_response_lost: 1 } } });
    expect(((await lookup(s)).body as { data: unknown[] }).data).toHaveLength(1);
  });

  it('latency on activity delays the answer', async () => {
    const s = await start();
    s.injectFault({ route: 'activity', kind: 'latency', ms: 250, count: 1 });
    const started = performance.now();
    expect((await post(s)).status).toBe(201);
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
  });

  it('has no rate limit by default', async () => {
    const s = await start();
    for (let i = 0; i < 120; i++) expect((await lookup(s)).status).toBe(200);
  });

  it('rateLimitPerMinute answers 429 rate_limited with Retry-After, per tenant, freeing slots as the window slides', async () => {
    const s = await start({ rateLimitPerMinute: 2 });
    expect((await lookup(s)).status).toBe(200);
    current = T0 + 30_000;
    expect((await lookup(s)).status).toBe(200);
    current = T0 + 45_000;
    const limited = await lookup(s);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('15');
    expect(limited.body).toEqual({ error: 'rate_limited', message: 'rate limit exceeded for this tenant' });
    const globex = await accessToken(s.url, agent, 'globex', GLOBEX);
    const other = await authed(s.url, globex, activitiesPath('globex', undefined, '?externalKey=x'), { dispatcher: agent });
    expect(other.status).toBe(200);
    current = T0 + 60_000;
    expect((await lookup(s)).status).toBe(200);
    expect((await authed(s.url, 'bad', activitiesPath('acme', undefined, '?externalKey=x'), { dispatcher: agent })).status).toBe(401);
    expect(s.stats().requests['activity_lookup']).toEqual({ '200': 4, '429': 1, '401': 1 }); // globex's lookup counts too
  });

  it('reset() clears the rate-limit window', async () => {
    const s = await start({ rateLimitPerMinute: 1 });
    expect((await lookup(s)).status).toBe(200);
    expect((await lookup(s)).status).toBe(429);
    s.reset();
    expect((await lookup(s)).status).toBe(200);
  });
});
