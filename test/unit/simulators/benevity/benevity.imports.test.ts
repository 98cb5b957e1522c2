import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBenevitySimulator } from '../../../../src/simulators/benevity/index.ts';
import type { BenevitySimulator, BenevitySimulatorOptions } from '../../../../src/simulators/benevity/index.ts';
import type { CallOptions } from '../helpers.ts';
import { CALLBACK_SECRET, CLIENT_A, CLIENT_B, T0, accessToken, authed, detailPaths, errorOf, hoursRecord, startReceiver } from './helpers.ts';
import type { CallbackReceiver } from './helpers.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** What a receiver must do: HMAC over "<t>.<raw bytes>", compared timing-safe. */
function verify(header: unknown, raw: string, secret = CALLBACK_SECRET): { t: number } | undefined {
  const match = typeof header === 'string' ? /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) : null;
  if (match === null) return undefined;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${raw}`).digest();
  const actual = Buffer.from(match[2] ?? '', 'hex');
  return timingSafeEqual(expected, actual) ? { t: Number(match[1]) } : undefined;
}

describe('Benevity simulator volunteer-hours bulk import', () => {
  let agent: Agent;
  let sim: BenevitySimulator | undefined;
  let receiver: CallbackReceiver | undefined;
  let token: string;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  afterEach(async () => {
    await sim?.close();
    await receiver?.close();
    sim = undefined;
    receiver = undefined;
  });

  async function start(options: BenevitySimulatorOptions = {}, statuses: number[] = []): Promise<BenevitySimulator> {
    receiver = await startReceiver(statuses);
    sim = await startBenevitySimulator({
      clients: { [CLIENT_A.id]: CLIENT_A.secret, [CLIENT_B.id]: CLIENT_B.secret },
      callbackSecret: CALLBACK_SECRET,
      importDelayMs: 0,
      callbackBackoffMs: 5,
      now: () => T0,
      ...options,
    });
    token = await accessToken(sim.url, agent);
    return sim;
  }
  const send = (s: BenevitySimulator, path: string, options: CallOptions = {}) =>
    authed(s.url, token, path, { dispatcher: agent, ...options });
  const submit = (s: BenevitySimulator, records: unknown[], callbackUrl = receiver?.url) =>
    send(s, '/v1/volunteer-hours/imports', { body: { callbackUrl, records } });

  it('queues a job (202), then applies each record on its own and POSTs a signed completion callback', async () => {
    const s = await start({ importDelayMs: 250 });
    const records = [
      hoursRecord(),
      hoursRecord({ externalId: 'evt-h-0002', hours: 25 }),
      hoursRecord({ externalId: 'evt-h-0003', activityName: 'call jane@example.com' }),
      { hours: 1 },
    ];
    const submitted = await submit(s, records);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toEqual({ jobId: expect.stringMatching(new RegExp(`^job_${UUID}$`)), status: 'queued', recordCount: 4 });
    const { jobId } = submitted.body as { jobId: string };
    expect((await send(s, `/v1/volunteer-hours/imports/${jobId}`)).body).toMatchObject({ jobId, status: 'queued' });
    expect(s.stats().accepted).toBe(0);

    await s.settled();
    expect(receiver?.received).toHaveLength(1);
    const [callback] = receiver?.received ?? [];
    expect(callback?.headers['content-type']).toBe('application/json');
    expect(verify(callback?.headers['x-benevity-signature'], callback?.raw ?? '')).toEqual({ t: T0 / 1000 });
    expect(verify(callback?.headers['x-benevity-signature'], callback?.raw ?? '', 'wrong-secret')).toBeUndefined();
    const body = JSON.parse(callback?.raw ?? '') as { results: Record<string, unknown>[] };
    expect(body).toEqual({ jobId, status: 'completed', completedAt: '2025-04-01T12:00:00.000Z', results: expect.any(Array) });
    expect(body.results[0]).toEqual({ index: 0, externalId: 'evt-h-0001', status: 'accepted', id: expect.stringMatching(new RegExp(`^vh_${UUID}$`)) });
    expect(body.results[1]).toEqual({
      index: 1,
      externalId: 'evt-h-0002',
      status: 'rejected',
      error: { code: 'validation_failed', message: expect.stringContaining('hours') },
    });
    expect(body.results[2]).toMatchObject({ externalId: 'evt-h-0003', status: 'rejected', error: { code: 'personal_data_rejected' } });
    expect(JSON.stringify(body)).not.toContain('jane');
    expect(body.results[3]).toMatchObject({ index: 3, externalId: null, status: 'rejected' });

    const done = await send(s, `/v1/volunteer-hours/imports/${jobId}`);
    expect(done.body).toMatchObject({ jobId, status: 'completed', results: body.results });
    const lookup = await send(s, '/v1/volunteer-hours?externalId=evt-h-0001');
    expect(lookup.body).toEqual({
      data: [{ id: body.results[0]?.['id'], ...hoursRecord(), jobId, createdAt: '2025-04-01T12:00:00.000Z' }],
    });
    expect((await send(s, '/v1/volunteer-hours?externalId=evt-h-0002')).body).toEqual({ data: [] });
    expect(s.stats()).toMatchObject({
      accepted: 1,
      imports: { submitted: 1, completed: 1, recordsAccepted: 1, recordsRejected: 3 },
      callbacks: { attempts: 1, delivered: 1, failed: 0, replays: 0 },
    });
    expect(s.jobs()).toEqual([expect.objectContaining({ jobId, clientId: 'client-a', callback: { status: 'delivered', attempts: 1 } })]);
  });

  it('retries a failing callback with doubling back-off until the receiver answers 2xx', async () => {
    const s = await start({ callbackBackoffMs: 40, now: Date.now }, [500, 503]);
    await submit(s, [hoursRecord()]);
    await s.settled();
    const deliveries = s.callbackDeliveries();
    expect(deliveries.map((d) => [d.attempt, d.status, d.ok])).toEqual([
      [1, 500, false],
      [2, 503, false],
      [3, 200, true],
    ]);
    const [a, b, c] = deliveries.map((d) => Date.parse(d.at));
    expect(b! - a!).toBeGreaterThanOrEqual(38); // 40 ms, then 80 ms (timers may fire a hair early)
    expect(c! - b!).toBeGreaterThanOrEqual(78);
    expect(receiver?.received.map((r) => r.raw)).toEqual([deliveries[0]?.body, deliveries[0]?.body, deliveries[0]?.body]);
    for (const r of receiver?.received ?? []) expect(verify(r.headers['x-benevity-signature'], r.raw)).toBeDefined();
    expect(s.stats().callbacks).toEqual({ attempts: 3, delivered: 1, failed: 0, replays: 0 });
  });

  it('gives up after callbackMaxRetries and marks the callback failed; records stay applied', async () => {
    const s = await start({ callbackMaxRetries: 2 }, [500, 500, 500, 500]);
    await submit(s, [hoursRecord()]);
    await s.settled();
    expect(s.callbackDeliveries()).toHaveLength(3);
    expect(s.jobs()[0]?.callback).toEqual({ status: 'failed', attempts: 3 });
    expect(s.stats()).toMatchObject({ accepted: 1, callbacks: { attempts: 3, delivered: 0, failed: 1 } });
  });

  it('records a network error when the receiver is down', async () => {
    const s = await start({ callbackMaxRetries: 1 });
    await receiver?.close();
    await submit(s, [hoursRecord()]);
    await s.settled();
    expect(s.callbackDeliveries().map((d) => [d.status, d.error, d.ok])).toEqual([
      [undefined, 'ECONNREFUSED', false],
      [undefined, 'ECONNREFUSED', false],
    ]);
  });

  it('replayCallback re-sends the exact body and signature of the last delivery', async () => {
    const s = await start();
    const { jobId } = (await submit(s, [hoursRecord()])).body as { jobId: string };
    await s.settled();
    const replay = await s.replayCallback(jobId);
    expect(replay).toMatchObject({ jobId, attempt: 2, replay: true, status: 200, ok: true });
    const [original, replayed] = receiver?.received ?? [];
    expect(replayed?.raw).toBe(original?.raw);
    expect(replayed?.headers['x-benevity-signature']).toBe(original?.headers['x-benevity-signature']);
    expect(s.stats().callbacks).toMatchObject({ attempts: 1, replays: 1 });
    await expect(s.replayCallback('job_unknown')).rejects.toThrow("job 'job_unknown' has sent no callback yet");
  });

  it('counts an externalId imported twice as a duplicate', async () => {
    const s = await start();
    await submit(s, [hoursRecord(), hoursRecord({ externalId: 'evt-h-0002' })]);
    await submit(s, [hoursRecord()]);
    await s.settled();
    expect(s.stats()).toMatchObject({ accepted: 3, distinctKeys: 2, duplicates: 1, duplicateKeys: ['evt-h-0001'] });
    expect(((await send(s, '/v1/volunteer-hours?externalId=evt-h-0001')).body as { data: unknown[] }).data).toHaveLength(2);
  });

  it.each([
    ['an ftp callbackUrl', { callbackUrl: 'ftp://example.test/x', records: [hoursRecord()] }, 'callbackUrl'],
    ['no records', { callbackUrl: 'http://127.0.0.1:1/x', records: [] }, 'records'],
    ['1001 records', { callbackUrl: 'http://127.0.0.1:1/x', records: Array(1001).fill(hoursRecord()) }, 'records'],
    ['an unknown key', { callbackUrl: 'http://127.0.0.1:1/x', records: [hoursRecord()], priority: 1 }, 'priority'],
  ])('answers 422 validation_failed for an import with %s and queues nothing', async (_n, body, path) => {
    const s = await start();
    const result = await send(s, '/v1/volunteer-hours/imports', { body });
    expect(result.status).toBe(422);
    expect(errorOf(result.body)).toBe('validation_failed');
    expect(detailPaths(result.body)).toContain(path);
    expect(s.jobs()).toEqual([]);
  });

  it("scopes jobs and hours to the client: another client gets 404 and an empty lookup", async () => {
    const s = await start();
    const { jobId } = (await submit(s, [hoursRecord()])).body as { jobId: string };
    await s.settled();
    const other = await accessToken(s.url, agent, CLIENT_B);
    const job = await authed(s.url, other, `/v1/volunteer-hours/imports/${jobId}`, { dispatcher: agent });
    expect(job).toMatchObject({ status: 404, body: { error: 'not_found' } });
    const hours = await authed(s.url, other, '/v1/volunteer-hours?externalId=evt-h-0001', { dispatcher: agent });
    expect(hours.body).toEqual({ data: [] });
    expect((await send(s, '/v1/volunteer-hours')).status).toBe(422);
  });

  it('reset() cancels a queued job: no records, no callback', async () => {
    const s = await start({ importDelayMs: 200 });
    await submit(s, [hoursRecord()]);
    s.reset();
    await s.settled();
    expect(receiver?.received).toEqual([]);
    expect(s.jobs()).toEqual([]);
    expect(s.stats()).toMatchObject({ accepted: 0, imports: { submitted: 0 } });
  });
});
