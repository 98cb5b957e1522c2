/**
 * In-memory stand-ins for the deliverer's ports. The idempotency store follows the same
 * transitions as the Redis Lua scripts (src/idempotency/redis/redis-idempotency-store.ts).
 */
import type { AsyncCodec } from '../../../src/codec/codec.ts';
import type { Connector, DeliveryOutcome, DeliveryRequest } from '../../../src/connectors/connector.ts';
import type { AttemptRecord } from '../../../src/deliveries/attempt-log.ts';
import type { DeliveryRepository, DeliveryRow, DeliveryState, JobSubmission, StateRequest } from '../../../src/deliveries/delivery-repository.ts';
import type { ParkEntry, ParkedState, ParkingLot } from '../../../src/deliveries/parking-lot.ts';
import type { DeliveryResult } from '../../../src/domain/delivery-result.ts';
import type { Platform } from '../../../src/domain/platform.ts';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../../../src/idempotency/idempotency-store.ts';
import type { MessageSink, OutboundMessage } from '../../../src/kafka/ports.ts';
import type { TenantDirectory } from '../../../src/tenants/tenant-directory.ts';
import type { TenantPlatform } from '../../../src/tenants/tenant-repository.ts';

/** What one `deliver` call does: resolve with an outcome, or throw. */
export type DeliverStep = DeliveryOutcome | Error;
/** What one `lookup` call does: found, not found, or throw. */
export type LookupStep = { readonly externalRef: string } | null | Error;

/** A connector that plays scripted outcomes and records every call in order. */
export class FakeConnector implements Connector {
  readonly platform: Platform = 'goodera';
  readonly calls: ('deliver' | 'lookup')[] = [];
  readonly requests: DeliveryRequest[] = [];
  readonly #deliverSteps: DeliverStep[];
  readonly #lookupSteps: LookupStep[];

  constructor(deliverSteps: DeliverStep[], lookupSteps: LookupStep[] = []) {
    this.#deliverSteps = [...deliverSteps];
    this.#lookupSteps = [...lookupSteps];
  }

  get sends(): number {
    return this.calls.filter((call) => call === 'deliver').length;
  }

  get lookups(): number {
    return this.calls.filter((call) => call === 'lookup').length;
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryOutcome> {
    this.calls.push('deliver');
    this.requests.push(request);
    const step = this.#deliverSteps.shift();
    if (step === undefined) throw new Error('FakeConnector: no scripted deliver outcome left');
    if (step instanceof Error) throw step;
    return step;
  }

  async lookup(request: DeliveryRequest): Promise<{ readonly externalRef: string } | null> {
    this.calls.push('lookup');
    this.requests.push(request);
    const step = this.#lookupSteps.length > 0 ? this.#lookupSteps.shift() : null;
    if (step instanceof Error) throw step;
    return step ?? null;
  }
}

/** The Redis store's semantics, in memory, with a local clock for leases. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async get(key: string): Promise<IdempotencyRecord | null> {
    return this.records.get(key) ?? null;
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.#now();
    const record = this.records.get(key);
    let reconcile = false;
    if (record) {
      if (record.state === 'succeeded' || record.state === 'failed') return { claimed: false, record };
      if (record.state === 'in_flight') {
        if (record.owner !== owner && record.leaseUntil > now) return { claimed: false, record };
        reconcile = true;
      }
      if (record.state === 'unknown') {
        if ((record.lookAfter ?? 0) > now) return { claimed: false, record };
        reconcile = true;
      }
    }
    this.records.set(key, { state: 'in_flight', owner, leaseUntil: now + leaseMs });
    return { claimed: true, mustReconcile: reconcile };
  }

  async release(key: string, owner: string, state: 'unknown' | 'retry', settleMs = 0): Promise<void> {
    const record = this.records.get(key);
    if (!record || record.state !== 'in_flight' || record.owner !== owner) return;
    this.records.set(key, state === 'unknown' && settleMs > 0 ? { state, lookAfter: this.#now() + settleMs } : { state });
  }

  async complete(key: string, record: Extract<IdempotencyRecord, { state: 'succeeded' | 'failed' }>): Promise<void> {
    this.records.set(key, record);
  }
}

/** The delivery repository's two methods over a map; `failNextRecords` simulates PostgreSQL down. */
export class FakeDeliveryRepository {
  readonly rows = new Map<string, DeliveryResult>();
  readonly outbox: OutboundMessage[] = [];
  /** The attempt history written with each row, by `eventId:platform`. */
  readonly histories = new Map<string, readonly AttemptRecord[]>();
  recordCalls = 0;
  failNextRecords = 0;

  asRepository(): DeliveryRepository {
    return this as unknown as DeliveryRepository;
  }

  /** Event ids (`eventId:platform`) marked unsettled. */
  readonly unsettled = new Set<string>();
  /** When each was last marked (Date.now()); a mark set straight into `unsettled` counts as long ago. */
  readonly markedAt = new Map<string, number>();

  /** The parking lot whose entries `state` reports (the real query reads parked_deliveries too). */
  lot: FakeParkingLot | undefined;

  async state(eventId: string, platform: Platform, orderingKey: string): Promise<DeliveryState> {
    return {
      row: await this.find(eventId, platform),
      unsettledForMs: this.unsettled.has(`${eventId}:${platform}`) ? Date.now() - (this.markedAt.get(`${eventId}:${platform}`) ?? 0) : null,
      parked: this.lot?.stateOf(platform, eventId, orderingKey) ?? null,
      generation: 0,
      replayId: null,
    };
  }

  async states(platform: Platform, wanted: readonly StateRequest[]): Promise<Map<string, DeliveryState>> {
    const answers = new Map<string, DeliveryState>();
    for (const { eventId, orderingKey } of wanted) answers.set(eventId, await this.state(eventId, platform, orderingKey));
    return answers;
  }

  async markUnsettled(eventIds: readonly string[], platform: Platform): Promise<void> {
    for (const eventId of eventIds) {
      this.unsettled.add(`${eventId}:${platform}`);
      this.markedAt.set(`${eventId}:${platform}`, Date.now());
    }
  }

  async find(eventId: string, platform: Platform): Promise<DeliveryRow | null> {
    const row = this.rows.get(`${eventId}:${platform}`);
    if (row) return { status: row.status, attempts: row.attempts, externalRef: row.externalRef };
    const pending = this.submissions.find((s) => s.eventId === eventId && s.platform === platform);
    return pending ? { status: 'submitted', attempts: pending.attempts, externalRef: null } : null;
  }

  readonly submissions: JobSubmission[] = [];

  async recordSubmission(submission: JobSubmission): Promise<void> {
    this.submissions.push(submission);
  }

  async recordFinals(
    results: readonly DeliveryResult[],
    outbox: (result: DeliveryResult) => OutboundMessage[],
    historyOf: (result: DeliveryResult) => readonly AttemptRecord[] = () => [],
  ): Promise<Set<string>> {
    this.recordCalls++;
    if (this.failNextRecords > 0) {
      this.failNextRecords--;
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    }
    const recorded = new Set<string>();
    for (const result of results) {
      const id = `${result.eventId}:${result.platform}`;
      if (this.rows.has(id)) continue;
      this.rows.set(id, result);
      this.unsettled.delete(id);
      this.histories.set(id, [...historyOf(result)]);
      this.outbox.push(...outbox(result));
      recorded.add(result.eventId);
    }
    return recorded;
  }

}

/** Tenant configuration from a fixed list of rows (enabled ones only, like the real directory). */
export function fakeTenantDirectory(rows: readonly TenantPlatform[]): TenantDirectory {
  return {
    async enabledPlatforms(tenantId) {
      const mine = rows.filter((row) => row.tenantId === tenantId);
      return mine.length === 0 ? null : mine.filter((row) => row.enabled).map((row) => row.platform);
    },
    async platformConfig(tenantId, platform) {
      return rows.find((row) => row.tenantId === tenantId && row.platform === platform && row.enabled) ?? null;
    },
  };
}

/** A sink that keeps what it was given. */
export class RecordingSink implements MessageSink {
  readonly sent: OutboundMessage[] = [];

  async send(messages: readonly OutboundMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
}

/** The parking lot's deliverer-facing methods over an array, in parking order. */
export class FakeParkingLot {
  readonly parked: ParkEntry[] = [];

  asLot(): ParkingLot {
    return this as unknown as ParkingLot;
  }

  stateOf(platform: Platform, eventId: string, orderingKey: string): ParkedState {
    const mine = this.parked.filter((entry) => entry.platform === platform);
    if (mine.some((entry) => entry.eventId === eventId)) return 'self';
    return mine.some((entry) => entry.orderingKey === orderingKey) ? 'behind' : null;
  }

  async park(entries: readonly ParkEntry[]): Promise<void> {
    for (const entry of entries) if (!this.parked.some((p) => p.platform === entry.platform && p.eventId === entry.eventId)) this.parked.push(entry);
  }
}

/** Results as JSON (the registry codec is proven against the real registry in the scenarios). */
export const jsonResultCodec: AsyncCodec<DeliveryResult> = {
  decode: async (bytes) => JSON.parse(bytes!.toString()) as DeliveryResult,
  encode: async (result) => Buffer.from(JSON.stringify(result)),
};
