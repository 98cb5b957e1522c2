/**
 * One chaos run: publish at a steady rate (good events carrying personal data, and now and then a
 * malformed one) while the seeded schedule's faults are applied, then wait for quiet and judge the
 * invariants over everything observed (src/chaos/invariants.ts).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkInvariants, type Violation } from '../../src/chaos/invariants.ts';
import { chaosSchedule, countByKind, type FaultKind, type ScheduledFault } from '../../src/chaos/schedule.ts';
import { readTopicToEnd } from '../../src/kafka/kafkajs/read-topic.ts';
import type { InboundMessage } from '../../src/kafka/ports.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { generatePii, piiText, seededRandom } from '../../test/fixtures/pii/generate.ts';
import { decodeResult } from '../../test/integration/helpers/avro.ts';
import { expectedDeliveries } from '../../test/integration/helpers/all-platforms.ts';
import { TENANTS } from '../../test/integration/helpers/pipeline.ts';
import { pipelineLag, sampleProcess, type ProcessSample } from './observe.ts';
import { createChaosWorld } from './world.ts';

export interface ChaosOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** Good events per second. */
  readonly rate: number;
  /** One malformed message per this many good ones. */
  readonly badEvery?: number;
  /** How long to wait for the pipeline to go quiet after publishing stops. */
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
  readonly wallMs: number;
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

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const schedule = chaosSchedule({ seed: options.seed, durationMs: options.durationMs });
  const world = await createChaosWorld(options.seed);
  const { pipeline } = world.all;
  const random = seededRandom(options.seed);
  const badEvery = options.badEvery ?? 200;
  const expected = new Set<string>();
  const piiValues: string[] = [];
  const badKeys = new Set<string>();
  let published = 0;
  const samples: ProcessSample[] = [];
  const applied: ScheduledFault[] = [];
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
          await world.apply(fault, log);
          applied.push(fault);
        }
      };
      const platform = schedule.filter((f) => f.kind.startsWith('platform_'));
      await Promise.all([run(schedule.filter((f) => !f.kind.startsWith('platform_'))), run(platform)]);
    })();
    const sampling = setInterval(() => {
      for (const [role, { process, healthPort }] of world.services) {
        void sampleProcess(role, process.child.pid!, healthPort, Math.round(elapsed() / 1000)).then((s) => s && samples.push(s));
      }
    }, 10_000);
    await Promise.all([publishing, applying]);
    log(`published ${published} events (${badKeys.size} malformed); waiting for quiet`);

    // Fresh readers, not the long-lived tail: a tail consumer that crashed while the broker was
    // down is no evidence about the pipeline.
    const kafka = pipeline.scenario.kafka;
    const topics = pipeline.topics;
    const quietBy = Date.now() + (options.quietTimeoutMs ?? 600_000);
    let resultMessages = await readTopicToEnd(kafka, topics.results);
    const distinct = () => new Set(resultMessages.map((m) => m.key?.toString())).size;
    while (distinct() < expected.size && Date.now() < quietBy) {
      log(`waiting for quiet: ${distinct()} of ${expected.size} results`);
      await sleep(5_000);
      resultMessages = await readTopicToEnd(kafka, topics.results);
    }
    await sleep(3_000);
    clearInterval(sampling);
    resultMessages = await readTopicToEnd(kafka, topics.results);
    const deadLetters = await readTopicToEnd(kafka, topics.eventsDlq);
    let otherDeadLetters = 0;
    for (const topic of [topics.redactedDlq, ...Object.values(topics.deliverDlq)]) otherDeadLetters += (await readTopicToEnd(kafka, topic)).length;
    const lag = await pipelineLag(kafka, pipeline.scenario.env.TOPIC_PREFIX!);

    const asText = (messages: readonly InboundMessage[]) =>
      messages.map((m) => `${m.key?.toString('latin1') ?? ''} ${m.value?.toString('latin1') ?? ''} ${JSON.stringify(m.headers ?? {})}`).join('\n');
    const results = resultMessages.map((m) => decodeResult(m.value!));
    const deadLetterKeys = new Set(deadLetters.map((m) => m.key?.toString()));
    const logs = [...world.services.values()].map(({ process }) => process.logFile);
    const haystacks = [
      { where: 'goodera records', text: JSON.stringify(pipeline.goodera.records()) },
      { where: 'benevity records', text: JSON.stringify(world.all.benevity.records()) },
      { where: 'workday records', text: JSON.stringify(world.all.workday.records()) },
      { where: 'events dead letters', text: asText(deadLetters) },
      { where: 'results', text: asText(resultMessages) },
      ...logs.map((file) => ({ where: `log ${file}`, text: readFileSync(file, 'utf8') })),
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
      wallMs: Date.now() - started,
    };
  } finally {
    await world.close();
  }
}
