import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBenevitySimulator } from '../../../../src/simulators/benevity/index.ts';
import type { BenevitySimulator } from '../../../../src/simulators/benevity/index.ts';
import type { CallOptions } from '../helpers.ts';
import { CLIENT_A, CLIENT_B, T0, accessToken, authed, detailPaths, donation, errorOf } from './helpers.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const metadata = (key: string) => ({ impactInIdempotencyKey: key, eventId: key });

describe('Benevity simulator donations', () => {
  let agent: Agent;
  let sim: BenevitySimulator;
  let token: string;

  beforeAll(() => {
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
  });
  beforeEach(async () => {
    sim = await startBenevitySimulator({
      clients: { [CLIENT_A.id]: CLIENT_A.secret, [CLIENT_B.id]: CLIENT_B.secret },
      now: () => T0,
    });
    token = await accessToken(sim.url, agent);
  });
  afterEach(async () => {
    await sim.close();
  });

  const send = (path: string, options: CallOptions = {}) => authed(sim.url, token, path, { dispatcher: agent, ...options });
  const donate = (body: unknown) => send('/v1/donations', { body });

  it('answers 201 with a don_ id, status and createdAt plus the submitted fields, stored by idempotency key', async () => {
    const result = await donate(donation());
    expect(result.status).toBe(201);
    expect(result.body).toEqual({
      id: expect.stringMatching(new RegExp(`^don_${UUID}$`)),
      status: 'accepted',
      createdAt: '2025-04-01T12:00:00.000Z',
      ...donation(),
    });
    const [entry] = sim.records();
    expect(entry?.key).toBe('benevity:evt-0001');
    expect(entry?.value).toEqual({ kind: 'donation', clientId: 'client-a', donation: result.body });
    expect(sim.stats()).toMatchObject({ accepted: 1, distinctKeys: 1, duplicates: 0 });
  });

  it('accepts a minimal donation (no campaign, no receipt) with a 100-pair metadata map', async () => {
    const { campaignId: _c, ...minimal } = donation({
      metadata: { impactInIdempotencyKey: 'k', ...Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`k${i}`, 'v'])) },
    });
    expect((await donate(minimal)).status).toBe(201);
  });

  it.each([
    ['a fractional amount', { amount: 12.5 }, 'amount'],
    ['a zero amount', { amount: 0 }, 'amount'],
    ['a lowercase currency', { currency: 'eur' }, 'currency'],
    ['a recipient without charityId', { recipient: {} }, 'recipient.charityId'],
    ['an unknown recipient key', { recipient: { charityId: 'c', name2: 'x' } }, 'recipient.name2'],
    ['a donor without pseudonymousId', { donor: {} }, 'donor.pseudonymousId'],
    ['a donatedAt that is not a datetime', { donatedAt: '2025-03-14' }, 'donatedAt'],
    ['an unknown top-level key', { note: 'thanks' }, 'note'],
    ['empty metadata', { metadata: {} }, 'metadata'],
    ['101 metadata pairs', { metadata: { impactInIdempotencyKey: 'k', ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'])) } }, 'metadata'],
    ['a metadata key over 40 chars', { metadata: { impactInIdempotencyKey: 'k', ['k'.repeat(41)]: 'v' } }, `metadata.${'k'.repeat(41)}`],
    ['a metadata value over 500 chars', { metadata: { impactInIdempotencyKey: 'k', long: 'v'.repeat(501) } }, 'metadata.long'],
    ['no impactInIdempotencyKey', { metadata: { eventId: 'evt-1' } }, 'metadata.impactInIdempotencyKey'],
  ])('answers 422 validation_failed for %s, naming the path', async (_name, overrides, path) => {
    const result = await donate(donation(overrides));
    expect(result.status).toBe(422);
    expect(errorOf(result.body)).toBe('validation_failed');
    expect(detailPaths(result.body)).toContain(path);
    expect(sim.stats().accepted).toBe(0);
  });

  it('allows donor name and email when a receipt is requested', async () => {
    const donor = { pseudonymousId: 'ps-1', name: 'Jane Doe', email: 'jane.doe@example.com' };
    const result = await donate(donation({ donor, receiptRequested: true }));
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({ donor, receiptRequested: true });
  });

  it.each([
    ['donor.name without a receipt', { donor: { pseudonymousId: 'p', name: 'Jane Doe' } }, ['donor.name']],
    ['donor.email with receiptRequested false', { receiptRequested: false, donor: { pseudonymousId: 'p', email: 'jane@example.com' } }, ['donor.email']],
    ['an email in metadata even with a receipt', { receiptRequested: true, metadata: { impactInIdempotencyKey: 'k', contact: 'jane@example.com' } }, ['metadata.contact']],
    ['a phone in metadata', { metadata: { impactInIdempotencyKey: 'k', tel: '+44 7700 900123' } }, ['metadata.tel']],
    ['an email as pseudonymousId', { donor: { pseudonymousId: 'jane@example.org' } }, ['donor.pseudonymousId']],
    ['a phone in campaignId', { campaignId: '(555) 123-4567' }, ['campaignId']],
    ['an email-like metadata key', { metadata: { impactInIdempotencyKey: 'k', 'jane@example.com': 'x' } }, ['metadata.<email-like key>']],
    ['a personal field in an unknown place', { recipient: { charityId: 'c', email: 'x' } }, ['recipient.email']],
  ])('answers 422 personal_data_rejected for %s, naming the path never the value', async (_n, overrides, paths) => {
    const result = await donate(donation(overrides));
    expect(result.status).toBe(422);
    expect(errorOf(result.body)).toBe('personal_data_rejected');
    expect(detailPaths(result.body)).toEqual(paths);
    expect(JSON.stringify(result.body)).not.toMatch(/jane|example\.(com|org)|7700|555/i);
    expect(sim.stats().accepted).toBe(0);
  });

  it('stores a second donation with the same idempotency key and counts it as a duplicate', async () => {
    expect((await donate(donation())).status).toBe(201);
    expect((await donate(donation({ metadata: metadata('benevity:evt-0002') }))).status).toBe(201);
    expect((await donate(donation())).status).toBe(201); // no server-side idempotency
    expect(sim.stats()).toMatchObject({ accepted: 3, distinctKeys: 2, duplicates: 1, duplicateKeys: ['benevity:evt-0001'] });
  });

  it('GET /v1/donations/:id returns the stored donation; 404 not_found otherwise and for another client', async () => {
    const created = (await donate(donation())).body as { id: string };
    const found = await send(`/v1/donations/${created.id}`);
    expect(found).toMatchObject({ status: 200, body: created });
    const missing = await send('/v1/donations/don_nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found', message: 'donation not found' });
    const otherToken = await accessToken(sim.url, agent, CLIENT_B);
    expect((await authed(sim.url, otherToken, `/v1/donations/${created.id}`, { dispatcher: agent })).status).toBe(404);
  });

  it('GET /v1/donations searches by metadata key and value, per client', async () => {
    const first = (await donate(donation())).body;
    const second = (await donate(donation())).body;
    await donate(donation({ metadata: metadata('benevity:evt-0002') }));
    const result = await send('/v1/donations?metadataKey=impactInIdempotencyKey&metadataValue=benevity%3Aevt-0001');
    expect(result).toEqual(expect.objectContaining({ status: 200, body: { data: [first, second] } }));
    const byEvent = await send('/v1/donations?metadataKey=eventId&metadataValue=benevity%3Aevt-0002');
    expect((byEvent.body as { data: unknown[] }).data).toHaveLength(1);
    const none = await send('/v1/donations?metadataKey=impactInIdempotencyKey&metadataValue=never');
    expect(none.body).toEqual({ data: [] });
    const otherToken = await accessToken(sim.url, agent, CLIENT_B);
    const other = await authed(sim.url, otherToken, '/v1/donations?metadataKey=eventId&metadataValue=evt-0001', {
      dispatcher: agent,
    });
    expect(other.body).toEqual({ data: [] });
  });

  it('answers 422 for a search without metadataKey or metadataValue', async () => {
    const result = await send('/v1/donations?metadataKey=impactInIdempotencyKey');
    expect(result.status).toBe(422);
    expect(detailPaths(result.body)).toEqual(['metadataValue']);
  });

  it('answers 400 invalid_json for a malformed body', async () => {
    const result = await donate('{"amount":');
    expect(result.status).toBe(400);
    expect(errorOf(result.body)).toBe('invalid_json');
  });
});
