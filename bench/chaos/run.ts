/**
 * One chaos run: publish at a steady rate (good events carrying personal data, and now and then a
 * malformed one) while the seeded schedule's faults are applied, then wait for quiet and judge the
 * invariants over everything observed (src/chaos/invariants.ts).
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkInvariants, type Violation } from '../../src/chaos/invariants.ts';
import { chaosSchedule, countByKind, type FaultKind, type ScheduledFault } from '../../src/chaos/schedule.ts';
import { parseAttemptHistory, type AttemptRecord } from '../../src/deliveries/attempt-log.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { readTopicToEnd } from '../../src/kafka/kafkajs/read-topic.ts';
import type { StoredEntry } from '../../src/simulators/common/record-store.ts';
import type { WorkdayEntry } from '../../src/simulators/workday/index.ts';
import type { InboundMessage } from '../../src/kafka/ports.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { generatePii, piiText, seededRandom } from '../../test/fixtures/pii/generate.ts';
import { decodeResult } from '../../test/integration/helpers/avro.ts';
import { expectedDeliveries } from '../../test/integration/helpers/all-platforms.ts';
import { TENANTS } from '../../test/integration/helpers/pipeline.ts';
import { pipelineBacklog, pipelineLag, sampleProcess, type ProcessSample } from './observe.ts';
import { createChaosWorld } from './world.ts';

export interface ChaosOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** Good events per second. */
  readonly rate: number;
  /** One malformed message per this many good ones. */
  readonly badEvery?: number;
  /** How long the pipeline may go without progress after publishing stops before the run is judged as it is. */
  readonly quietTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly seed: number;
  readonly durationMs: number;
  readonly rate: number;
  readonly schedule: readonly ScheduledFault[];
  readonly faultsApplied: Record<FaultKind, number>;
  readonly events: { readonly published: number; readonly bad: number; readonly expectedResults: number };
  readonly results: number;
  readonly deadLetters: number;
  readonly piiValues: number;
  readonly lag: number;
  readonly violations: readonly Violation[];
  readonly samples: readonly ProcessSample[];
  /**
   * This process — the simulators, the publisher — every 10 s: its resident memory and its
   * event-loop delay (max and p99 over the interval). A simulator that stalls longer than the
   * request timeout plus the settle delay applies writes after impact-in has looked them up.
   */
  readonly harness: readonly { readonly atS: number; readonly rssMb: number; readonly eventLoopMaxMs: number; readonly eventLoopP99Ms: number }[];
  /** The pipeline's consumer backlog every 10 s (missing while the broker is down). */
  readonly backlog: readonly { readonly atS: number; readonly messages: number }[];
  /** When each fault was on, in seconds since publishing began. */
  readonly windows: readonly { readonly kind: FaultKind; readonly target?: string; readonly fromS: number; readonly toS: number }[];
  /** Publishing time, then the time it took the pipeline to go quiet. */
  readonly drainS: number;
  readonly wallMs: number;
  /**
   * Each Workday business key applied more than once: when each copy reached the simulator and
   * when it was stored, beside the delivery's attempts as impact-in recorded them (when each
   * request left, how it ended). A copy received long after its attempt left was late on the way;
   * one stored long after it was received was late at the platform.
   */
  readonly duplicateTraces: readonly DuplicateTrace[];
}

export interface DuplicateTrace {
  readonly key: string;
  readonly copies: readonly { readonly receivedAt?: string; readonly createdAt: string }[];
  readonly attempts: readonly AttemptRecord[];
}

/** Publishes until it lands: a send cut by a broker fault is sent again with the same event ids. */
async function untilSent(send: () => Promise<unknown>, stop: () => boolean): Promise<boolean> {
  for (;;) {
    try {
      await send();
      return true;
    } catch {
      if (stop()) return false;
      await sleep(500);
    }
  }
}

/** A file's text in overlapping slices of 64 MB (a value of up to 4 KB spanning two is still found whole). */
function fileSlices(file: string): string[] {
  const bytes = readFileSync(file);
  const size = 64 * 1024 * 1024;
  const slices: string[] = [];
  for (let at = 0; at < bytes.length; at += size) slices.push(bytes.subarray(at, Math.min(bytes.length, at + size + 4096)).toString('utf8'));
  return slices;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const schedule = chaosSchedule({ seed: options.seed, durationMs: options.durationMs });
  const world = await createChaosWorld(options.seed);
  // Interrupted, the run still takes down what it started (its broker, PostgreSQL, proxy, roles).
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the run's processes`);
    void world.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  const { pipeline } = world.all;
  const random = seededRandom(options.seed);
  const badEvery = options.badEvery ?? 200;
  const expected = new Set<string>();
  const piiValues: string[] = [];
  const badKeys = new Set<string>();
  let published = 0;
  const samples: ProcessSample[] = [];
  const backlog: { atS: number; messages: number }[] = [];
  const harness: ChaosReport['harness'][number][] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const applied: ScheduledFault[] = [];
  const windows: ChaosReport['windows'][number][] = [];
  try {
    const t0 = Date.now();
    const elapsed = () => Date.now() - t0;
    const publishing = (async () => {
      for (let tick = 0; elapsed() < options.durationMs; tick++) {
        // Ten ticks a second, each publishing what the rate owes by now (a send held up by a
        // broker fault is made up for afterwards, so the run publishes rate × duration in all).
        const count = Math.min(Math.floor((elapsed() * options.rate) / 1000) - published, Math.max(1, options.rate * 5));
        if (count <= 0) {
          await sleep(Math.max(1, (tick + 1) * 100 - elapsed()));
          continue;
        }
        const events: NewImpactEvent[] = sampleEvents(count, { tenants: TENANTS, seed: options.seed * 1_000_003 + tick, now: new Date() }).map((event) => {
          const email = generatePii(random, 'email').value;
          const phone = generatePii(random, 'phone').value;
          const { text, sample } = piiText(random, { maxLength: 128 });
          piiValues.push(email, phone, sample.value);
          return { ...event, source: text, subject: { ...event.subject, email, phone } } as NewImpactEvent;
        });
        let ids: string[] = [];
        const sent = await untilSent(async () => (ids = await pipeline.publisher.publishImpactEvents(events)), () => false);
        if (sent) for (const key of expectedDeliveries(events, ids)) expected.add(key);
        published += events.length;
        if (Math.floor(published / badEvery) > badKeys.size) {
          const key = `chaos:bad:${badKeys.size}`;
          const card = generatePii(random, 'payment_card').value;
          piiValues.push(card);
          await untilSent(() => pipeline.publisher.publishRaw([{ key, value: `{"eventId": "${key}", "note": "${card}"` }]), () => false);
          badKeys.add(key);
        }
        const next = (tick + 1) * 100;
        if (next > elapsed()) await sleep(next - elapsed());
      }
    })();
    const applying = (async () => {
      // Dependency faults one after another, platform faults alongside.
      const run = async (faults: ScheduledFault[]) => {
        for (const fault of faults) {
          if (fault.atMs > elapsed()) await sleep(fault.atMs - elapsed());
          log(`t+${Math.round(elapsed() / 1000)}s fault ${fault.kind}${fault.target ? ` ${fault.target}` : ''} for ${fault.durationMs} ms`);
          const fromS = elapsed() / 1000;
          await world.apply(fault, log);
          applied.push(fault);
          windows.push({ kind: fault.kind, ...(fault.target ? { target: fault.target } : {}), fromS, toS: elapsed() / 1000 });
        }
      };
      const platform = schedule.filter((f) => f.kind.startsWith('platform_'));
      await Promise.all([run(schedule.filter((f) => !f.kind.startsWith('platform_'))), run(platform)]);
    })();
    const kafka = pipeline.scenario.kafka;
    const topics = pipeline.topics;
    const prefix = pipeline.scenario.env.TOPIC_PREFIX!;
    const sampleBacklog = async () => {
      const atS = Math.round(elapsed() / 1000);
      const messages = await pipelineBacklog(kafka, prefix).catch(() => undefined); // the broker is down
      if (messages !== undefined) backlog.push({ atS, messages });
      return messages;
    };
    const sampling = setInterval(() => {
      for (const [role, { process, healthPort }] of world.services) {
        void sampleProcess(role, process.child.pid!, healthPort, Math.round(elapsed() / 1000)).then((s) => s && samples.push(s));
      }
      void sampleBacklog();
      harness.push({
        atS: Math.round(elapsed() / 1000),
        rssMb: Math.round(process.memoryUsage.rss() / 1_048_576),
        eventLoopMaxMs: Math.round(loop.max / 1e5) / 10,
        eventLoopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
      });
      loop.reset();
    }, 10_000);
    await Promise.all([publishing, applying]);
    const publishedAtS = elapsed() / 1000;
    log(`published ${published} events (${badKeys.size} malformed); waiting for quiet`);

    // Quiet first by offsets (cheap): the backlog is drained once it stops changing. Progress
    // resets the clock; only a pipeline that makes none for quietTimeoutMs is judged as it is.
    const stallMs = options.quietTimeoutMs ?? 300_000;
    let last = Number.POSITIVE_INFINITY;
    let steady = 0;
    let progressAt = Date.now();
    while (steady < 3 && Date.now() - progressAt < stallMs) {
      await sleep(5_000);
      const now = await sampleBacklog();
      if (now === undefined) continue;
      if (now < last) progressAt = Date.now();
      steady = now === last ? steady + 1 : 0;
      if (now !== last) log(`waiting for quiet: backlog ${now} messages`);
      last = now;
    }
    // Then by results, read afresh (not the long-lived tail: a tail consumer that crashed while the
    // broker was down is no evidence about the pipeline): the relay publishes from the outbox after
    // the deliverers commit.
    const read = () => readTopicToEnd(kafka, topics.results, { timeoutMs: 600_000 });
    let resultMessages = await read();
    const distinct = () => new Set(resultMessages.map((m) => m.key?.toString())).size;
    let seen = distinct();
    progressAt = Date.now();
    while (seen < expected.size && Date.now() - progressAt < Math.min(stallMs, 120_000)) {
      log(`waiting for quiet: ${seen} of ${expected.size} results`);
      await sleep(5_000);
      resultMessages = await read();
      if (distinct() > seen) progressAt = Date.now();
      seen = distinct();
    }
    const drainS = elapsed() / 1000 - publishedAtS;
    await sleep(3_000);
    clearInterval(sampling);
    resultMessages = await readTopicToEnd(kafka, topics.results);
    const deadLetters = await readTopicToEnd(kafka, topics.eventsDlq);
    let otherDeadLetters = 0;
    for (const topic of [topics.redactedDlq, ...Object.values(topics.deliverDlq)]) otherDeadLetters += (await readTopicToEnd(kafka, topic)).length;
    const lag = await pipelineLag(kafka, prefix);

    const asText = (messages: readonly InboundMessage[]) =>
      messages.map((m) => `${m.key?.toString('latin1') ?? ''} ${m.value?.toString('latin1') ?? ''} ${JSON.stringify(m.headers ?? {})}`).join('\n');
    const results = resultMessages.map((m) => decodeResult(m.value!));
    const deadLetterKeys = new Set(deadLetters.map((m) => m.key?.toString()));
    const logs = [...world.services.values()].map(({ process }) => process.logFile);
    // In slices: a long run's records and results exceed the longest string V8 allows.
    const slices = <T>(where: string, items: readonly T[], text: (slice: readonly T[]) => string) =>
      Array.from({ length: Math.ceil(items.length / 20_000) }, (_, i) => ({ where, text: text(items.slice(i * 20_000, (i + 1) * 20_000)) }));
    const haystacks = [
      ...slices('goodera records', pipeline.goodera.records(), (s) => JSON.stringify(s)),
      ...slices('benevity records', world.all.benevity.records(), (s) => JSON.stringify(s)),
      ...slices('workday records', world.all.workday.records(), (s) => JSON.stringify(s)),
      ...slices('events dead letters', deadLetters, asText),
      ...slices('results', resultMessages, asText),
      ...logs.flatMap((file) => fileSlices(file).map((text) => ({ where: `log ${file}`, text }))),
    ];
    const violations = checkInvariants({
      expected,
      results,
      simulators: {
        goodera: pipeline.goodera.stats(),
        benevity: world.all.benevity.stats(),
        workday: world.all.workday.stats(),
      },
      injectedBad: badKeys.size,
      deadLetters: deadLetterKeys.size,
      otherDeadLetters,
      piiValues: [...new Set(piiValues)].filter((v) => v.length >= 6),
      haystacks,
      lag,
    });
    return {
      seed: options.seed,
      durationMs: options.durationMs,
      rate: options.rate,
      schedule,
      faultsApplied: countByKind(applied),
      events: { published, bad: badKeys.size, expectedResults: expected.size },
      results: new Set(results.map((r) => `${r.eventId}:${r.platform}`)).size,
      deadLetters: deadLetterKeys.size,
      piiValues: new Set(piiValues).size,
      lag,
      violations,
      samples,
      harness,
      backlog,
      windows,
      drainS: Math.round(drainS),
      wallMs: Date.now() - started,
      duplicateTraces: await traceDuplicates(world.all.workday.records(), world.all.workday.stats().duplicateKeys, pipeline.scenario.db),
    };
  } finally {
    loop.disable();
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await world.close();
  }
}

/** The copies of each key the Workday simulator applied more than once, and the delivery's attempts. */
async function traceDuplicates(records: readonly StoredEntry<WorkdayEntry>[], keys: readonly string[], db: Kysely<Database>): Promise<DuplicateTrace[]> {
  const traces: DuplicateTrace[] = [];
  for (const key of keys) {
    const copies = records
      .filter((entry) => entry.key === key)
      .map(({ value }) => ({ ...(value.receivedAt === undefined ? {} : { receivedAt: new Date(value.receivedAt).toISOString() }), createdAt: value.record.createdAt }));
    const idempotencyKey = key.slice(key.indexOf(':') + 1);
    const row = await db
      .selectFrom('impact_deliveries')
      .select('attempt_history')
      .where('platform', '=', 'workday')
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    traces.push({ key, copies, attempts: parseAttemptHistory(row?.attempt_history) });
  }
  return traces;
}
