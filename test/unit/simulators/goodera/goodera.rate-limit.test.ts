import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGooderaSimulator } from '../../../../src/simulators/goodera/index.ts';
import type { GooderaSimulator, GooderaSimulatorOptions } from '../../../../src/simulators/goodera/index.ts';
import { call, errorCode, gooderaRecord } from '../helpers.ts';

describe('Goodera simulator rate limit (sliding minute per API key)', () => {
  let agent: Agent;
  let sim: GooderaSimulator | undefined;
  let current = Date.parse('2025-04-01T12:00:00.000Z');
  const now = () => current;

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

  async function start(options: GooderaSimulatorOptions = {}): Promise<GooderaSimulator> {
    sim = await startGooderaSimulator({ apiKeys: { a: 'tenant-a', b: 'tenant-b' }, now, ...options });
    return sim;
  }

  const lookup = (s: GooderaSimulator, apiKey: string) =>
    call(s.url, '/v1/impact-records?externalId=x', { dispatcher: agent, apiKey });

  it('defaults to 100 per minute: the 101st request gets 429 rate_limited with Retry-After', async () => {
    const s = await start();
    for (let i = 0; i < 100; i++) {
      current += 100; // requests 0.1 s apart: the first leaves the window at +60 s
      const result = await call(s.url, '/v1/impact-records', {
        dispatcher: agent,
        apiKey: 'a',
        body: gooderaRecord({ externalId: `evt-${i}` }),
      });
      expect(result.status).toBe(201);
    }
    const limited = await call(s.url, '/v1/impact-records', { dispatcher: agent, apiKey: 'a', body: gooderaRecord() });
    expect(limited.status).toBe(429);
    expect(errorCode(limited.body)).toBe('rate_limited');
    // The first request was at t+0.1 s, now is t+10 s: its slot frees in 50.1 s → 51 whole seconds.
    expect(limited.headers['retry-after']).toBe('51');
    expect(s.stats().accepted).toBe(100);
    expect(s.stats().requests['create']).toEqual({ '201': 100, '429': 1 });
  });

  it('frees slots as the window slides, never answering Retry-After below 1', async () => {
    const s = await start({ rateLimitPerMinute: 2 });
    const t0 = current;
    expect((await lookup(s, 'a')).status).toBe(200);
    current = t0 + 30_000;
    expect((await lookup(s, 'a')).status).toBe(200);
    current = t0 + 59_999;
    const limited = await lookup(s, 'a');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    current = t0 + 60_000;
    expect((await lookup(s, 'a')).status).toBe(200);
    const again = await lookup(s, 'a');
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBe('30');
  });

  it('limits each API key on its own', async () => {
    const s = await start({ rateLimitPerMinute: 1 });
    expect((await lookup(s, 'a')).status).toBe(200);
    expect((await lookup(s, 'a')).status).toBe(429);
    expect((await lookup(s, 'b')).status).toBe(200);
  });

  it('does not spend slots on unauthenticated or rate-limited requests', async () => {
    const s = await start({ rateLimitPerMinute: 1 });
    for (let i = 0; i < 3; i++) expect((await lookup(s, 'unknown')).status).toBe(401);
    const t0 = current;
    expect((await lookup(s, 'a')).status).toBe(200);
    current = t0 + 30_000;
    expect((await lookup(s, 'a')).status).toBe(429);
    current = t0 + 60_000;
    expect((await lookup(s, 'a')).status).toBe(200);
  });

  it('is disabled by rateLimitPerMinute 0', async () => {
    const s = await start({ rateLimitPerMinute: 0 });
    for (let i = 0; i < 120; i++) expect((await lookup(s, 'a')).status).toBe(200);
  });

  it('is cleared by reset()', async () => {
    const s = await start({ rateLimitPerMinute: 1 });
    expect((await lookup(s, 'a')).status).toBe(200);
    expect((await lookup(s, 'a')).status).toBe(429);
    s.reset();
    expect((await lookup(s, 'a')).status).toBe(200);
  });
});
