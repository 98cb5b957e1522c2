/**
 * What must hold: the Benevity connector speaks the simulator's contract over real sockets —
 * donations with our key in metadata (found again by lookup), volunteer hours through the bulk
 * import — reuses one OAuth token until it expires, fetches it once for many concurrent deliveries,
 * recovers from a revoked token with one refresh, and classifies every failure correctly.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import { createBenevityConnector, type BenevityConnector } from '../../src/connectors/benevity/benevity.connector.ts';
import type { DeliveryRequest } from '../../src/connectors/connector.ts';
import { ImpactError } from '../../src/domain/errors.ts';
import { idempotencyKey } from '../../src/domain/idempotency-key.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { createDispatcher } from '../../src/http/dispatcher.ts';
import { DEFAULT_TENANT_POLICY, type TenantPolicy } from '../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { contactBox, redactedOf } from '../unit/redacted-fixtures.ts';

const CREDENTIALS = { clientId: 'client-acme', clientSecret: 'secret-acme-0123', callbackSecret: 'callback-secret-acme-0123456789' };
let clock = Date.parse('2026-11-28T12:00:00.000Z');
const now = () => clock;
let simulator: BenevitySimulator;
let dispatcher: Dispatcher;

function connector(): BenevityConnector {
  return createBenevityConnector({
    baseUrl: simulator.url,
    dispatcher,
    allowPrivateHosts: true,
    gate: createPreSendGate(),
    contactBox,
    // Nothing listens there: these imports' callbacks fail, which this file does not look at.
    callbackUrl: (tenant) => `http://127.0.0.1:9/callbacks/benevity/${tenant}`,
    tokenRefreshMarginMs: 60_000,
    importSettleMs: 400,
    importSettlePollMs: 50,
    now,
  });
}

function requestOf(event: RedactedEvent, policy: TenantPolicy = DEFAULT_TENANT_POLICY, credentials: Record<string, unknown> = CREDENTIALS): DeliveryRequest {
  return { event, idempotencyKey: idempotencyKey('benevity', event.tenantId, event.eventId, event.payload), credentials, tenantPolicy: policy };
}

/** A sample event of the kind with a fresh id (so a fresh idempotency key). */
function fresh(kind: 'donation' | 'volunteer_activity'): RedactedEvent {
  return { ...redactedOf(kind).event, eventId: randomUUID() } as RedactedEvent;
}

async function rejection(promise: Promise<unknown>): Promise<ImpactError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ImpactError);
    return error as ImpactError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  simulator = await startBenevitySimulator({
    clients: { [CREDENTIALS.clientId]: CREDENTIALS.clientSecret },
    tokenTtlSeconds: 3600,
    importDelayMs: 20,
    callbackMaxRetries: 0,
    now,
  });
  dispatcher = createDispatcher({ connectTimeoutMs: 1_000, requestTimeoutMs: 1_500, allowPrivateHosts: true });
});

afterAll(async () => {
  await dispatcher?.close();
  await simulator?.close();
});

beforeEach(() => simulator.reset());

describe('benevity connector: records', () => {
  it('delivers a donation with our event id and idempotency key in metadata, and finds it again', async () => {
    const benevity = connector();
    const { event } = redactedOf('donation');
    const request = requestOf(event);
    const outcome = await benevity.deliver(request);
    expect(outcome.status).toBe('delivered');
    const [stored] = simulator.records();
    expect(stored?.value.kind).toBe('donation');
    const donation = stored!.value.kind === 'donation' ? stored!.value.donation : undefined;
    expect(outcome).toEqual({ status: 'delivered', externalRef: donation!.id });
    expect(donation!.metadata).toMatchObject({ impactInIdempotencyKey: request.idempotencyKey, impactInEventId: event.eventId });
    expect(donation!.donor).toEqual({ pseudonymousId: event.subject.pseudonym });
    expect(await benevity.lookup(request)).toEqual({ externalRef: donation!.id });
    expect(await benevity.lookup(requestOf(fresh('donation')))).toBeNull();
  });

  it('sends the donor contact for a receipt only when the tenant turned receipts on', async () => {
    const { input, event } = redactedOf('donation');
    expect(event.contact).toBeDefined();
    await connector().deliver(requestOf(event, { ...DEFAULT_TENANT_POLICY, donationReceipts: true }));
    const [stored] = simulator.records();
    const donation = stored!.value.kind === 'donation' ? stored!.value.donation : undefined;
    expect(donation).toMatchObject({ receiptRequested: true, donor: { name: input.subject.name, email: input.subject.email } });
  });

  it('submits volunteer hours as a one-record import; the record is found once the job ran', async () => {
    const benevity = connector();
    const { event } = redactedOf('volunteer_activity');
    const request = requestOf(event);
    const outcome = await benevity.deliver(request);
    expect(outcome).toMatchObject({ status: 'submitted', recordIndex: 0 });
    const jobId = (outcome as { jobId: string }).jobId;
    await simulator.settled();
    const job = await benevity.readJob(jobId, CREDENTIALS);
    expect(job.status).toBe('completed');
    const hours = simulator.records().find((entry) => entry.value.kind === 'volunteer_hours');
    const id = hours!.value.kind === 'volunteer_hours' ? hours!.value.hours.id : '';
    expect(job).toEqual({ status: 'completed', results: [{ index: 0, externalId: request.idempotencyKey, outcome: { status: 'delivered', externalRef: id } }] });
    expect(await benevity.lookup(request)).toEqual({ externalRef: id });
    expect(simulator.stats().duplicates).toBe(0);
  });

  it('looks hours up until the settle time before it concludes they are absent', async () => {
    const found = await connector().lookup(requestOf(fresh('volunteer_activity')));
    expect(found).toBeNull();
    expect(simulator.stats().requests['hours_lookup']?.['200']).toBeGreaterThan(1);
  });
});

describe('benevity connector: OAuth', () => {
  it('fetches one token for 20 concurrent deliveries and reuses it', async () => {
    const benevity = connector();
    const before = simulator.stats().tokens.issued;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => benevity.deliver(requestOf(fresh('donation')))),
    );
    expect(outcomes.filter((outcome) => outcome.status !== 'delivered')).toEqual([]);
    await benevity.deliver(requestOf(fresh('donation')));
    expect(simulator.stats().tokens.issued - before).toBe(1);
  });

  it('gets a new token once the old one is about to expire', async () => {
    const benevity = connector();
    const before = simulator.stats().tokens.issued;
    await benevity.deliver(requestOf(fresh('donation')));
    clock += 3_550_000; // 59 min 10 s: inside the 60 s refresh margin of a one-hour token, before expiry
    await benevity.deliver(requestOf(fresh('donation')));
    await benevity.deliver(requestOf(fresh('donation')));
    expect(simulator.stats().tokens.issued - before).toBe(2);
    expect(simulator.stats().requests['donation']?.['401']).toBeUndefined();
  });

  it('recovers from revoked tokens with one refresh for all concurrent deliveries', async () => {
    const benevity = connector();
    await benevity.deliver(requestOf(fresh('donation')));
    const before = simulator.stats().tokens.issued;
    expect(simulator.revokeTokens()).toBeGreaterThan(0);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => benevity.deliver(requestOf(fresh('donation')))),
    );
    expect(outcomes.every((outcome) => outcome.status === 'delivered')).toBe(true);
    expect(simulator.stats().tokens.issued - before).toBe(1);
    expect(simulator.stats().requests['donation']?.['401']).toBe(5);
  });

  it('treats a 401 to a freshly issued token as final, and a refused client as an auth failure', async () => {
    simulator.injectFault({ route: 'donation', kind: 'status', status: 401, count: 2 });
    const error = await rejection(connector().deliver(requestOf(fresh('donation'))));
    expect(error).toMatchObject({ code: 'PLATFORM_AUTH_FAILED', retryable: false });
    simulator.clearFaults();
    const wrong = await rejection(
      connector().deliver(requestOf(fresh('donation'), DEFAULT_TENANT_POLICY, { ...CREDENTIALS, clientSecret: 'not-the-secret' })),
    );
    expect(wrong.code).toBe('PLATFORM_AUTH_FAILED');
    expect(simulator.stats().accepted).toBe(0);
  });
});

describe('benevity connector: error classification', () => {
  it('503 → PLATFORM_UNAVAILABLE, 429 → PLATFORM_RATE_LIMITED with Retry-After, 422 → rejected', async () => {
    const benevity = connector();
    simulator.injectFault({ route: 'donation', kind: 'status', status: 503, count: 1 });
    expect((await rejection(benevity.deliver(requestOf(fresh('donation'))))).code).toBe('PLATFORM_UNAVAILABLE');
    simulator.injectFault({ route: 'import', kind: 'status', status: 429, retryAfterSeconds: 7, count: 1 });
    const limited = await rejection(benevity.deliver(requestOf(fresh('volunteer_activity'))));
    expect(limited).toMatchObject({ code: 'PLATFORM_RATE_LIMITED', retryAfterMs: 7_000 });
    simulator.injectFault({ route: 'donation', kind: 'status', status: 422, count: 1 });
    expect(await benevity.deliver(requestOf(fresh('donation')))).toMatchObject({
      status: 'rejected',
      errorClass: 'PLATFORM_REJECTED',
    });
    expect(simulator.stats().accepted).toBe(0);
  });

  it('a reset, a timeout or a lost response leave the outcome unknown; lookup then finds an applied donation', async () => {
    const benevity = connector();
    simulator.injectFault({ route: 'donation', kind: 'reset', count: 1 });
    expect((await rejection(benevity.deliver(requestOf(fresh('donation'))))).code).toBe('OUTCOME_UNKNOWN');
    simulator.injectFault({ route: 'donation', kind: 'timeout', count: 1 });
    expect((await rejection(benevity.deliver(requestOf(fresh('donation'))))).code).toBe('OUTCOME_UNKNOWN');
    const request = requestOf(fresh('donation'));
    simulator.injectFault({ route: 'donation', kind: 'applied_response_lost', count: 1 });
    expect((await rejection(benevity.deliver(request))).code).toBe('OUTCOME_UNKNOWN');
    const found = await benevity.lookup(request);
    expect(found?.externalRef).toMatch(/^don_/);
  });

  it('a refused connection is a NETWORK_ERROR (nothing was sent)', async () => {
    const closed = createBenevityConnector({
      baseUrl: 'http://127.0.0.1:9',
      dispatcher,
      allowPrivateHosts: true,
      gate: createPreSendGate(),
      contactBox,
      callbackUrl: () => 'http://127.0.0.1:9/callbacks/benevity/acme',
      tokenRefreshMarginMs: 60_000,
      importSettleMs: 0,
    });
    expect((await rejection(closed.deliver(requestOf(fresh('donation'))))).code).toBe('NETWORK_ERROR');
  });

  it('refuses a loopback base URL unless private hosts are allowed', () => {
    expect(() =>
      createBenevityConnector({
        baseUrl: simulator.url,
        dispatcher,
        allowPrivateHosts: false,
        gate: createPreSendGate(),
        contactBox,
        callbackUrl: () => 'https://impact-in.example.com/callbacks/benevity/acme',
        tokenRefreshMarginMs: 60_000,
        importSettleMs: 0,
      }),
    ).toThrow(/private address/);
  });
});
