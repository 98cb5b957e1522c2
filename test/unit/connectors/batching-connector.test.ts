import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batching } from '../../../src/connectors/batching-connector.ts';
import type { BatchConnector, DeliveryOutcome, DeliveryRequest, FinalOutcome } from '../../../src/connectors/connector.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { SendWindowClosedError } from '../../../src/http/send-window.ts';
import { DEFAULT_TENANT_POLICY } from '../../../src/redaction/policy/policy.ts';
import { redactedOf } from '../redacted-fixtures.ts';

/** A batch connector whose requests are answered when the test says so. */
class HeldBatchConnector implements BatchConnector {
  readonly platform = 'goodera' as const;
  readonly batches: string[][] = [];
  readonly #answers: ((answer: (requests: readonly DeliveryRequest[]) => (FinalOutcome | ImpactError)[] | Error) => void)[] = [];
  readonly maxBatch: number;
  hold = true;

  constructor(maxBatch = 100) {
    this.maxBatch = maxBatch;
  }

  deliverBatch(requests: readonly DeliveryRequest[]): Promise<(FinalOutcome | ImpactError)[]> {
    this.batches.push(requests.map((request) => request.event.eventId));
    return new Promise((resolve, reject) => {
      const answer = (how: (requests: readonly DeliveryRequest[]) => (FinalOutcome | ImpactError)[] | Error) => {
        const outcome = how(requests);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      if (this.hold) this.#answers.push(answer);
      else answer(allDelivered);
    });
  }

  /** Answers the oldest request still out. */
  answer(how: (requests: readonly DeliveryRequest[]) => (FinalOutcome | ImpactError)[] | Error = allDelivered): void {
    const next = this.#answers.shift();
    if (!next) throw new Error('no request is out');
    next(how);
  }

  get out(): number {
    return this.#answers.length;
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryOutcome> {
    throw new Error(`${request.event.eventId} was sent alone: records go through deliverBatch only`);
  }

  async lookup(request: DeliveryRequest) {
    return { externalRef: `found-${request.event.eventId}` };
  }
}

const allDelivered = (requests: readonly DeliveryRequest[]) =>
  requests.map((request): FinalOutcome => ({ status: 'delivered', externalRef: `gd-${request.event.eventId}` }));

const credentials = new Map<string, Record<string, unknown>>();
function requestOf(tenantId = 'acme', creds?: Record<string, unknown>): DeliveryRequest {
  const { event } = redactedOf('program_enrolment', tenantId);
  if (!credentials.has(tenantId)) credentials.set(tenantId, { apiKey: `gd-key-${tenantId}` });
  return {
    event: { ...event, eventId: randomUUID() },
    idempotencyKey: randomUUID(),
    credentials: creds ?? credentials.get(tenantId)!,
    tenantPolicy: DEFAULT_TENANT_POLICY,
  };
}

/** Lets pending callbacks, promise reactions and setImmediate turns run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('batching connector', () => {
  it('the calls of one turn go as one request per tenant, in call order; each caller gets its own outcome', async () => {
    const inner = new HeldBatchConnector();
    inner.hold = false;
    const connector = batching(inner);
    const requests = [requestOf('acme'), requestOf('globex'), requestOf('acme'), requestOf('acme')];
    const outcomes = await Promise.all(requests.map((request) => connector.deliver(request)));
    expect(inner.batches).toEqual([
      [requests[0]!.event.eventId, requests[2]!.event.eventId, requests[3]!.event.eventId],
      [requests[1]!.event.eventId],
    ]);
    expect(outcomes).toEqual(requests.map((request) => ({ status: 'delivered', externalRef: `gd-${request.event.eventId}` })));
  });

  it('a record alone goes at once, not after a timer', async () => {
    const inner = new HeldBatchConnector();
    const connector = batching(inner);
    const request = requestOf();
    const delivered = connector.deliver(request);
    await turn();
    expect(inner.batches).toEqual([[request.event.eventId]]);
    inner.answer();
    await expect(delivered).resolves.toMatchObject({ status: 'delivered' });
  });

  it('while a request of the tenant is out, records wait and go together when it answers', async () => {
    const inner = new HeldBatchConnector();
    const connector = batching(inner);
    const first = requestOf();
    const firstDone = connector.deliver(first);
    await turn();
    const later = [requestOf(), requestOf(), requestOf()];
    const laterDone = later.map((request) => connector.deliver(request));
    // Another tenant is not held back by acme's request.
    const other = requestOf('globex');
    const otherDone = connector.deliver(other);
    await turn();
    expect(inner.batches).toEqual([[first.event.eventId], [other.event.eventId]]);
    inner.answer();
    await firstDone;
    await turn();
    expect(inner.batches[2]).toEqual(later.map((request) => request.event.eventId));
    inner.answer();
    inner.answer();
    await Promise.all([...laterDone, otherDone]);
  });

  it('cuts at maxBatch; a full batch goes at once while fewer than maxRequestsInFlight are out', async () => {
    const inner = new HeldBatchConnector(2);
    const connector = batching(inner, { maxRequestsInFlight: 2 });
    const requests = Array.from({ length: 7 }, () => requestOf());
    const done = requests.map((request) => connector.deliver(request));
    await turn();
    // Two full requests out (the bound); the rest wait, whole or not.
    expect(inner.batches.map((batch) => batch.length)).toEqual([2, 2]);
    inner.answer();
    await turn();
    expect(inner.batches.map((batch) => batch.length)).toEqual([2, 2, 2]);
    inner.answer();
    await turn();
    // One record left and a request still out: it waits for that one to answer.
    expect(inner.batches.map((batch) => batch.length)).toEqual([2, 2, 2]);
    inner.answer();
    await turn();
    expect(inner.batches.map((batch) => batch.length)).toEqual([2, 2, 2, 1]);
    inner.answer();
    await Promise.all(done);
    expect(inner.batches.flat()).toEqual(requests.map((request) => request.event.eventId));
  });

  it('a record the gate stopped, or the platform rejected, fails alone; a failed request fails every record in it', async () => {
    const inner = new HeldBatchConnector();
    const connector = batching(inner);
    const requests = [requestOf(), requestOf(), requestOf()];
    const done = requests.map((request) => connector.deliver(request).then((outcome) => outcome, (error: unknown) => error));
    await turn();
    inner.answer((batch) =>
      batch.map((request, index): FinalOutcome | ImpactError =>
        index === 0
          ? new ImpactError('PII_BLOCKED', 'pre-send gate blocked the goodera request')
          : index === 1
            ? { status: 'rejected', errorClass: 'PLATFORM_REJECTED', reason: 'goodera validation_failed' }
            : { status: 'delivered', externalRef: `gd-${request.event.eventId}` },
      ),
    );
    const [blocked, rejected, delivered] = await Promise.all(done);
    expect(blocked).toMatchObject({ code: 'PII_BLOCKED' });
    expect(rejected).toMatchObject({ status: 'rejected' });
    expect(delivered).toMatchObject({ status: 'delivered' });

    const again = [requestOf(), requestOf()];
    const failed = again.map((request) => connector.deliver(request).then(() => 'delivered', (error: unknown) => error));
    await turn();
    inner.answer(() => new ImpactError('OUTCOME_UNKNOWN', 'UND_ERR_HEADERS_TIMEOUT'));
    for (const outcome of await Promise.all(failed)) expect(outcome).toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  });

  it('a record whose send window closed while it waited is handed back unsent; the others go', async () => {
    const inner = new HeldBatchConnector();
    const connector = batching(inner);
    const first = requestOf();
    const sending = connector.deliver(first);
    await turn();
    // While the first request is out, two records wait: one whose window closes meanwhile.
    const late = { ...requestOf(), sendBy: Date.now() + 5 };
    const inTime = { ...requestOf(), sendBy: Date.now() + 60_000 };
    const lateOutcome = connector.deliver(late);
    const inTimeOutcome = connector.deliver(inTime);
    lateOutcome.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    inner.answer();
    await expect(sending).resolves.toMatchObject({ status: 'delivered' });
    await expect(lateOutcome).rejects.toBeInstanceOf(SendWindowClosedError);
    await turn();
    expect(inner.batches).toEqual([[first.event.eventId], [inTime.event.eventId]]);
    inner.answer();
    await expect(inTimeOutcome).resolves.toMatchObject({ status: 'delivered' });
  });

  it('an answer short of the request rejects the records it left out', async () => {
    const inner = new HeldBatchConnector();
    const connector = batching(inner);
    const requests = [requestOf(), requestOf()];
    const done = requests.map((request) => connector.deliver(request).then((outcome) => outcome, (error: unknown) => error));
    await turn();
    inner.answer((batch) => allDelivered(batch).slice(0, 1));
    const [first, second] = await Promise.all(done);
    expect(first).toMatchObject({ status: 'delivered' });
    expect(second).toBeInstanceOf(Error);
  });

  it('records of one tenant under a rotated key never share a request with the old key; equal credentials objects do', async () => {
    const inner = new HeldBatchConnector();
    inner.hold = false;
    const connector = batching(inner);
    const before = requestOf('acme', { apiKey: 'old' });
    const after = requestOf('acme', { apiKey: 'new' });
    // The tenant directory's cache hands out a new object for the same credentials when it refreshes.
    const refreshed = requestOf('acme', { apiKey: 'new' });
    await Promise.all([connector.deliver(before), connector.deliver(after), connector.deliver(refreshed)]);
    expect(inner.batches).toEqual([[before.event.eventId], [after.event.eventId, refreshed.event.eventId]]);
  });

  it('with ready, a request is filled when its turn comes: records that arrive while it waits go in it', async () => {
    const inner = new HeldBatchConnector();
    inner.hold = false;
    const turns: (() => void)[] = [];
    const paced = Object.assign(inner, {
      ready: () => new Promise<void>((resolve) => turns.push(resolve)),
    });
    const connector = batching(paced);
    const first = requestOf();
    const done = [connector.deliver(first)];
    await turn();
    // The request waits for its turn; three more records arrive meanwhile.
    const later = [requestOf(), requestOf(), requestOf()];
    done.push(...later.map((request) => connector.deliver(request)));
    await turn();
    expect(turns).toHaveLength(1);
    expect(inner.batches).toEqual([]);
    turns.shift()!();
    await Promise.all(done);
    expect(inner.batches).toEqual([[first, ...later].map((request) => request.event.eventId)]);
  });

  it('a turn that fails (credentials the connector cannot read) fails the records it would have carried', async () => {
    const inner = new HeldBatchConnector();
    const paced = Object.assign(inner, {
      ready: () => Promise.reject(new ImpactError('CONFIG_INVALID', 'goodera credentials are invalid', { retryable: false })),
    });
    const connector = batching(paced);
    const outcomes = await Promise.all([requestOf(), requestOf()].map((request) => connector.deliver(request).then(() => 'delivered', (error: unknown) => error)));
    for (const outcome of outcomes) expect(outcome).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(inner.batches).toEqual([]);
  });

  it('lookups pass through; a bad bound is refused', async () => {
    const inner = new HeldBatchConnector();
    const connector = batching(inner);
    const request = requestOf();
    await expect(connector.lookup(request)).resolves.toEqual({ externalRef: `found-${request.event.eventId}` });
    expect(inner.batches).toEqual([]);
    expect(() => batching(inner, { maxRequestsInFlight: 0 })).toThrow('maxRequestsInFlight');
  });
});
