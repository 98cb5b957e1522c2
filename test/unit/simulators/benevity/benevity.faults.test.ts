import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidFaultSpecError } from '../../../../src/simulators/common/fault-injector.ts';
import { startBenevitySimulator } from '../../../../src/simulators/benevity/index.ts';
import type { BenevitySimulator } from '../../../../src/simulators/benevity/index.ts';
import { call, networkCode, rejection } from '../helpers.ts';
import type { CallOptions } from '../helpers.ts';
import { CLIENT_A, accessToken, authed, donation, errorOf, hoursRecord, requestToken, startReceiver } from './helpers.ts';
import type { CallbackReceiver } from './helpers.ts';

describe('Benevity simulator faults', () => {
  let agent: Agent;
  let sim: BenevitySimulator;
  let receiver: CallbackReceiver;
  let token: string;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  beforeEach(async () => {
    receiver = await startReceiver();
    sim = await startBenevitySimulator({ clients: { [CLIENT_A.id]: CLIENT_A.secret }, importDelayMs: 0 });
    token = await accessToken(sim.url, agent);
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  const send = (path: string, options: CallOptions = {}) => authed(sim.url, token, path, { dispatcher: agent, ...options });
  const donate = (options: CallOptions = {}) => send('/v1/donations', { body: donation(), ...options });
  const search = () => send('/v1/donations?metadataKey=impactInIdempotencyKey&metadataValue=benevity%3Aevt-0001');

  it('status 503 on donation: answers 503 without storing', async () => {
    sim.injectFault({ route: 'donation', kind: 'status', status: 503 });
    const result = await donate();
    expect(result.status).toBe(503);
    expect(result.body).toEqual({ error: 'injected_fault', message: 'injected 503' });
    expect(sim.stats().accepted).toBe(0);
  });

  it('status 429 with Retry-After on the token route, then recovers after count', async () => {
    sim.injectFault({ route: 'token', kind: 'status', status: 429, retryAfterSeconds: 7, count: 1 });
    const limited = await requestToken(sim.url, agent);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(errorOf(limited.body)).toBe('rate_limited');
    expect((await requestToken(sim.url, agent)).status).toBe(200);
    expect(sim.stats().requests['token']).toEqual({ '200': 2, '429': 1 });
  });

  it('status 500 only hits the named route (donation_search)', async () => {
    sim.injectFault({ route: 'donation_search', kind: 'status', status: 500 });
    expect((await donate()).status).toBe(201);
    expect((await search()).status).toBe(500);
  });

  it('status 502 injected over the control API on import: no job is queued', async () => {
    const added = await call(sim.url, '/__sim/faults', { dispatcher: agent, body: { route: 'import', kind: 'status', status: 502 } });
    expect(added.status).toBe(201);
    const result = await send('/v1/volunteer-hours/imports', { body: { callbackUrl: receiver.url, records: [hoursRecord()] } });
    expect(result.status).toBe(502);
    expect(sim.jobs()).toEqual([]);
  });

  it('timeout on donation: never answers, nothing stored', async () => {
    sim.injectFault({ route: 'donation', kind: 'timeout', count: 1 });
    const error = await rejection(donate({ headersTimeout: 200 }));
    expect(networkCode(error)).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(sim.stats().accepted).toBe(0);
    expect(sim.stats().requests['donation']).toEqual({ timeout: 1 });
  });

  it('reset on donation_get: ECONNRESET', async () => {
    const { id } = (await donate()).body as { id: string };
    sim.injectFault({ route: 'donation_get', kind: 'reset', count: 1 });
    expect(networkCode(await rejection(send(`/v1/donations/${id}`)))).toBe('ECONNRESET');
    expect((await send(`/v1/donations/${id}`)).status).toBe(200);
  });

  it('applied_response_lost on donation: the client errors AND the donation is stored and searchable', async () => {
    sim.injectFault({ route: 'donation', kind: 'applied_response_lost', count: 1 });
    expect(networkCode(await rejection(donate()))).toBe('ECONNRESET');
    expect(sim.stats()).toMatchObject({ accepted: 1, requests: { donation: { applied_response_lost: 1 } } });
    expect(((await search()).body as { data: unknown[] }).data).toHaveLength(1);
  });

  it('applied_response_lost on import: the job still runs; the hours are found by externalId', async () => {
    sim.injectFault({ route: 'import', kind: 'applied_response_lost', count: 1 });
    const body = { callbackUrl: receiver.url, records: [hoursRecord()] };
    expect(networkCode(await rejection(send('/v1/volunteer-hours/imports', { body })))).toBe('ECONNRESET');
    await sim.settled();
    expect(receiver.received).toHaveLength(1);
    const found = await send('/v1/volunteer-hours?externalId=evt-h-0001');
    expect((found.body as { data: unknown[] }).data).toHaveLength(1);
  });

  it('latency on hours_lookup: delays by at least ms, then answers', async () => {
    sim.injectFault({ route: 'hours_lookup', kind: 'latency', ms: 250, count: 1 });
    const started = performance.now();
    const result = await send('/v1/volunteer-hours?externalId=x');
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
    expect(result.status).toBe(200);
  });

  it('injectFault validates; clearFaults removes every fault', async () => {
    expect(() => sim.injectFault({ route: 'donation', kind: 'latency' })).toThrow(InvalidFaultSpecError);
    sim.injectFault([{ route: '*', kind: 'status', status: 500 }]);
    expect((await search()).status).toBe(500);
    sim.clearFaults();
    expect(sim.stats().faults).toEqual([]);
    expect((await search()).status).toBe(200);
  });
});
