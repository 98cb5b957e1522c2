import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorkdaySimulator } from '../../../../src/simulators/workday/index.ts';
import type { WorkdaySimulator } from '../../../../src/simulators/workday/index.ts';
import type { CallOptions } from '../helpers.ts';
import {
  GLOBEX,
  OTHER_WORKER,
  T0,
  TENANTS,
  WORKER,
  accessToken,
  activitiesPath,
  activity,
  authed,
  detailPaths,
  enrollment,
  enrollmentsPath,
  errorOf,
} from './helpers.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('Workday simulator volunteer activities and program enrolments', () => {
  let agent: Agent;
  let sim: WorkdaySimulator;
  let token: string;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  beforeEach(async () => {
    sim = await startWorkdaySimulator({ tenants: TENANTS, now: () => T0 });
    token = await accessToken(sim.url, agent);
  });
  afterEach(async () => {
    await sim.close();
  });

  const send = (path: string, options: CallOptions = {}) => authed(sim.url, token, path, { dispatcher: agent, ...options });
  const data = (body: unknown) => (body as { data: unknown[] }).data;

  it('POST volunteerActivities answers 201 with a wd_ id, workerId, createdAt and the fields; key tenant:externalKey', async () => {
    const result = await send(activitiesPath(), { body: activity() });
    expect(result.status).toBe(201);
    expect(result.body).toEqual({
      id: expect.stringMatching(new RegExp(`^wd_${UUID}$`)),
      workerId: WORKER,
      ...activity(),
      createdAt: '2025-04-01T12:00:00.000Z',
    });
    expect(sim.records()).toEqual([
      // receivedAt: when the request came in (the simulator's clock), kept beside the record, never answered.
      { key: 'acme:evt-0001', value: { kind: 'volunteer_activity', tenant: 'acme', record: result.body, receivedAt: T0 } },
    ]);
  });

  it('POST programEnrollments answers 201 and stores under tenant:externalKey', async () => {
    const { cohort: _c, ...minimal } = enrollment();
    const result = await send(enrollmentsPath(), { body: minimal });
    expect(result.status).toBe(201);
    expect(result.body).toEqual({ id: expect.stringMatching(/^wd_/), workerId: WORKER, ...minimal, createdAt: '2025-04-01T12:00:00.000Z' });
    expect(sim.records()[0]?.key).toBe('acme:evt-0002');
  });

  it.each([
    [activitiesPath(), activity({ hours: 0 }), 'hours'],
    [activitiesPath(), activity({ hours: 24.5 }), 'hours'],
    [activitiesPath(), activity({ activityDate: '2025-02-30' }), 'activityDate'],
    [activitiesPath(), activity({ externalKey: 'k'.repeat(129) }), 'externalKey'],
    [activitiesPath(), activity({ activityName: undefined }), 'activityName'],
    [activitiesPath(), activity({ comment: 'x' }), 'comment'],
    [enrollmentsPath(), enrollment({ enrolledOn: '2025-03-01T00:00:00Z' }), 'enrolledOn'],
    [enrollmentsPath(), enrollment({ programId: '' }), 'programId'],
    [enrollmentsPath(), enrollment({ hours: 1 }), 'hours'],
  ])('POST %s answers 422 validation_failed naming the path (%#)', async (path, body, field) => {
    const result = await send(path, { body });
    expect(result.status).toBe(422);
    expect(errorOf(result.body)).toBe('validation_failed');
    expect(detailPaths(result.body)).toContain(field);
    expect(sim.stats().accepted).toBe(0);
  });

  it.each([
    ['an email in activityName', activity({ activityName: 'with jane.doe@example.com' }), ['activityName']],
    ['a phone in organization', activity({ organization: 'call 555-123-4567' }), ['organization']],
    ['a worker name field', activity({ name: 'Jane Doe' }), ['name']],
    ['a workerEmail-style field named email', activity({ email: 'x' }), ['email']],
    ['a phone-like key', activity({ '+44 7700 900123': 'x' }), ['<phone-like key>']],
  ])('answers 422 personal_data_rejected for %s, never echoing the value', async (_n, body, paths) => {
    const result = await send(activitiesPath(), { body });
    expect(result.status).toBe(422);
    expect(errorOf(result.body)).toBe('personal_data_rejected');
    expect(detailPaths(result.body)).toEqual(paths);
    expect(JSON.stringify(result.body)).not.toMatch(/jane|example\.com|555|7700/i);
  });

  it('answers 422 personal_data_rejected for an email as workerId', async () => {
    const result = await send(activitiesPath('acme', encodeURIComponent('jane@example.com')), { body: activity() });
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({ error: 'personal_data_rejected', details: [{ path: 'workerId' }] });
    expect(JSON.stringify(result.body)).not.toContain('jane');
  });

  it.each([
    ['an employee number', 'E10001'],
    ['uppercase hex', WORKER.toUpperCase()],
    ['63 hex chars', WORKER.slice(1)],
  ])('answers 422 invalid_worker_id for %s, on writes and lookups', async (_n, workerId) => {
    const write = await send(activitiesPath('acme', workerId), { body: activity() });
    expect(write.status).toBe(422);
    expect(write.body).toEqual({
      error: 'invalid_worker_id',
      message: 'the worker id is not pseudonymous',
      details: [{ path: 'workerId', message: 'must be 64 lowercase hex characters (a keyed HMAC)' }],
    });
    expect((await send(enrollmentsPath('acme', workerId, '?externalKey=x'))).status).toBe(422);
    expect(sim.stats().accepted).toBe(0);
  });

  it('counts a second write of the same tenant:externalKey as a duplicate, not the same key in another tenant', async () => {
    await send(activitiesPath(), { body: activity() });
    await send(activitiesPath(), { body: activity() });
    const globex = await accessToken(sim.url, agent, 'globex', GLOBEX);
    await authed(sim.url, globex, activitiesPath('globex'), { dispatcher: agent, body: activity() });
    expect(sim.stats()).toMatchObject({ accepted: 3, distinctKeys: 2, duplicates: 1, duplicateKeys: ['acme:evt-0001'] });
  });

  it('looks up by worker and externalKey, per kind and per tenant', async () => {
    const first = (await send(activitiesPath(), { body: activity() })).body;
    await send(activitiesPath(), { body: activity({ externalKey: 'evt-other' }) });
    await send(enrollmentsPath(), { body: enrollment({ externalKey: 'evt-0001' }) });
    await send(activitiesPath('acme', OTHER_WORKER), { body: activity() });
    const found = await send(activitiesPath('acme', WORKER, '?externalKey=evt-0001'));
    expect(found).toMatchObject({ status: 200, body: { data: [first] } });
    expect(data((await send(enrollmentsPath('acme', WORKER, '?externalKey=evt-0001'))).body)).toHaveLength(1);
    expect(data((await send(activitiesPath('acme', OTHER_WORKER, '?externalKey=evt-0001'))).body)).toHaveLength(1);
    expect(data((await send(activitiesPath('acme', WORKER, '?externalKey=never'))).body)).toEqual([]);
    const globex = await accessToken(sim.url, agent, 'globex', GLOBEX);
    const other = await authed(sim.url, globex, activitiesPath('globex', WORKER, '?externalKey=evt-0001'), { dispatcher: agent });
    expect(other.body).toEqual({ data: [] });
  });

  it('answers 422 for a lookup without externalKey', async () => {
    const result = await send(activitiesPath());
    expect(result.status).toBe(422);
    expect(detailPaths(result.body)).toEqual(['externalKey']);
  });
});
