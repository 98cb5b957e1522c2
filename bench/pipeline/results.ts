/**
 * What the pipeline delivered, read black-box from its results topic. Each published event is
 * registered with the cell it belongs to and the platforms it must reach; each result's
 * publish → result latency is its Kafka timestamp (the relay's produce) minus the
 * `impact-published-at` header the pipeline carries from the input record's timestamp (the
 * publisher's produce), into the cell's HDR histogram and its per-second series. The first result
 * per (event, platform) counts; later copies are counted as doubled.
 */
import * as hdr from 'hdr-histogram-js';
import type { AsyncCodec } from '../../src/codec/codec.ts';
import type { DeliveryResult } from '../../src/domain/delivery-result.ts';
import type { EventKind } from '../../src/domain/event.ts';
import type { Platform } from '../../src/domain/platform.ts';
import { PLATFORM_KINDS } from '../../src/domain/routing.ts';
import type { TopicTail } from '../../src/kafka/kafkajs/topic-tail.ts';
import { PUBLISHED_AT_HEADER } from '../../src/observability/latency/published-at.ts';

const PLATFORM_LIST = Object.keys(PLATFORM_KINDS) as Platform[];
const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });

/**
 * Where the publish → result time goes, from what each result itself says (firstAttemptAt and
 * completedAt are the deliverer's clock, this machine's): publish → first attempt (redactor,
 * router, and waiting on the deliver topic and in the deliverer), first attempt → completed
 * (handling: the platform call, retries; Benevity hours: until the import's callback), completed
 * → result record (the outbox row waiting for the relay). After the run, the redacted and deliver
 * records' timestamps split the first into publish → redacted (the redactor's transaction),
 * redacted → routed (the router's) and routed → first attempt (waiting for the deliverer).
 */
export const STAGES = ['toFirstAttempt', 'redactor', 'router', 'queued', 'handling', 'toResult'] as const;
export type Stage = (typeof STAGES)[number];

export class Cell {
  /** Publish → result, ms, 1 ms to 1 h at 3 significant digits. */
  readonly latency = histogram();
  readonly stages = Object.fromEntries(STAGES.map((stage) => [stage, histogram()])) as Record<Stage, hdr.Histogram>;
  /** Second of the run (by result time) → latencies of the results then. */
  readonly perSecond = new Map<number, number[]>();
  /** The same per platform. */
  readonly byPlatform = Object.fromEntries(PLATFORM_LIST.map((p) => [p, histogram()])) as Record<Platform, hdr.Histogram>;
  /** Largest lag of the publisher's send resolving behind the stamp the pipeline carries, ms (a sanity check of the stamp). */
  stampBeforeSendMaxMs = 0;
  readonly expected: Record<Platform, number> = { benevity: 0, goodera: 0, workday: 0 };
  readonly received: Record<Platform, number> = { benevity: 0, goodera: 0, workday: 0 };
  readonly lastResultAt: Record<Platform, number> = { benevity: 0, goodera: 0, workday: 0 };
  events = 0;
  firstPublishAt = Infinity;
  lastPublishAt = 0;
  /** Results without the published-at header (none expected). */
  unstamped = 0;

  readonly name: string;
  readonly latencyMs: number;
  readonly rate: number | 'flat';

  constructor(name: string, latencyMs: number, rate: number | 'flat') {
    this.name = name;
    this.latencyMs = latencyMs;
    this.rate = rate;
  }

  get expectedTotal() {
    return PLATFORM_LIST.reduce((sum, p) => sum + this.expected[p], 0);
  }
  get receivedTotal() {
    return PLATFORM_LIST.reduce((sum, p) => sum + this.received[p], 0);
  }
  get lastResult() {
    return Math.max(...PLATFORM_LIST.map((p) => this.lastResultAt[p]));
  }
}

export interface Tally {
  /** (event, platform) pairs expected and never seen. */
  readonly lost: number;
  /** Extra copies of a result already seen (the relay publishes at least once). */
  readonly doubled: number;
  /** Results for an event or platform nothing registered. */
  readonly unexpected: number;
  /** Results whose status is not `delivered`, by status. */
  readonly notDelivered: Record<string, number>;
  readonly expected: Record<Platform, number>;
}

export class ResultsCollector {
  /** First-seen results' stamps, for the split of publish → first attempt once the intermediate topics are read. */
  readonly #front: { cell: Cell; eventId: string; platform: Platform; published: number; firstAttempt: number }[] = [];
  readonly #owner = new Map<string, { cell: Cell; platforms: readonly Platform[]; sentAt: number }>();
  readonly #seen = new Map<string, number>();
  readonly #notDelivered: Record<string, number> = {};
  #decoded = 0;
  #unexpected = 0;

  readonly #tail: TopicTail;
  readonly #topic: string;
  readonly #codec: AsyncCodec<DeliveryResult>;
  /** Epoch ms the per-second series count from. */
  readonly runStart: number;

  constructor(tail: TopicTail, topic: string, codec: AsyncCodec<DeliveryResult>, runStart: number) {
    this.#tail = tail;
    this.#topic = topic;
    this.#codec = codec;
    this.runStart = runStart;
  }

  /** Results seen (first copies) with a publish stamp. */
  get firstSeen(): number {
    return this.#front.length;
  }

  /** Events registered so far. */
  get registered(): number {
    return this.#owner.size;
  }

  /** An event was published (its send resolved) as part of `cell`. */
  register(cell: Cell, eventId: string, kind: EventKind, sentAt: number): void {
    const platforms = PLATFORM_LIST.filter((p) => PLATFORM_KINDS[p].includes(kind));
    this.#owner.set(eventId, { cell, platforms, sentAt });
    for (const p of platforms) cell.expected[p]++;
    cell.events++;
    cell.firstPublishAt = Math.min(cell.firstPublishAt, sentAt);
    cell.lastPublishAt = Math.max(cell.lastPublishAt, sentAt);
  }

  /** Decodes what arrived since the last call. */
  async poll(): Promise<void> {
    const messages = this.#tail.messages(this.#topic);
    for (; this.#decoded < messages.length; this.#decoded++) {
      const message = messages[this.#decoded]!;
      const result = await this.#codec.decode(message.value!);
      const key = `${result.eventId}:${result.platform}`;
      const copies = (this.#seen.get(key) ?? 0) + 1;
      this.#seen.set(key, copies);
      if (copies > 1) continue;
      if (result.status !== 'delivered') this.#notDelivered[result.status] = (this.#notDelivered[result.status] ?? 0) + 1;
      const owner = this.#owner.get(result.eventId);
      if (!owner || !owner.platforms.includes(result.platform)) {
        this.#unexpected++;
        continue;
      }
      const cell = owner.cell;
      const at = Number(message.timestamp);
      cell.received[result.platform]++;
      cell.lastResultAt[result.platform] = Math.max(cell.lastResultAt[result.platform], at);
      const published = Number(message.headers[PUBLISHED_AT_HEADER]);
      if (!Number.isFinite(published) || published <= 0) {
        cell.unstamped++;
        continue;
      }
      const ms = Math.max(0, at - published);
      cell.latency.recordValue(ms);
      cell.byPlatform[result.platform].recordValue(ms);
      const firstAttempt = Date.parse(result.firstAttemptAt);
      const completed = Date.parse(result.completedAt);
      cell.stages.toFirstAttempt.recordValue(Math.max(0, firstAttempt - published));
      this.#front.push({ cell, eventId: result.eventId, platform: result.platform, published, firstAttempt });
      cell.stages.handling.recordValue(Math.max(0, completed - firstAttempt));
      cell.stages.toResult.recordValue(Math.max(0, at - completed));
      cell.stampBeforeSendMaxMs = Math.max(cell.stampBeforeSendMaxMs, owner.sentAt - published);
      const second = Math.floor((at - this.runStart) / 1000);
      let bucket = cell.perSecond.get(second);
      if (!bucket) cell.perSecond.set(second, (bucket = []));
      bucket.push(ms);
    }
  }

  /**
   * Splits publish → first attempt by the redacted record's timestamp (event id → ms) and the
   * deliver record's (`eventId:platform` → ms); a result with either missing is left out. Returns
   * how many were split.
   */
  splitFront(redactedAt: ReadonlyMap<string, number>, routedAt: ReadonlyMap<string, number>): number {
    let split = 0;
    for (const { cell, eventId, platform, published, firstAttempt } of this.#front) {
      const redacted = redactedAt.get(eventId);
      const routed = routedAt.get(`${eventId}:${platform}`);
      if (redacted === undefined || routed === undefined) continue;
      cell.stages.redactor.recordValue(Math.max(0, redacted - published));
      cell.stages.router.recordValue(Math.max(0, routed - redacted));
      cell.stages.queued.recordValue(Math.max(0, firstAttempt - routed));
      split++;
    }
    return split;
  }

  /** Lost and doubled over every registered event, after the last poll. */
  tally(): Tally {
    let lost = 0;
    const expected: Record<Platform, number> = { benevity: 0, goodera: 0, workday: 0 };
    for (const [eventId, { platforms }] of this.#owner) {
      for (const p of platforms) {
        expected[p]++;
        if (!this.#seen.has(`${eventId}:${p}`)) lost++;
      }
    }
    let doubled = 0;
    for (const copies of this.#seen.values()) doubled += copies - 1;
    return { lost, doubled, unexpected: this.#unexpected, notDelivered: { ...this.#notDelivered }, expected };
  }
}
