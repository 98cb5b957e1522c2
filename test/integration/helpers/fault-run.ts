/**
 * The run every dependency-fault scenario shares: the whole pipeline as one service process over
 * all three platforms (slow answers, so work is in flight), half the events published, the fault
 * applied once results are flowing, the other half published when the fault says, then the
 * exactly-once check. Returns the expected (event, platform) keys.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../../src/publisher/sample-events.ts';
import { TENANTS } from './pipeline.ts';
import { createAllPlatforms, expectedDeliveries, type AllPlatforms } from './all-platforms.ts';
import { expectEachDeliveredOnce } from './exactly-once.ts';
import { kafkaProcess } from './kafka-process.ts';
import { postgresProcess } from './postgres-process.ts';
import { spawnService, type ServiceProcess } from './service-process.ts';

/** Service settings of a fault run: imports polled 3 s after a callback that never came (not 5 min). */
export const FAULT_RUN_ENV: Readonly<Record<string, string>> = {
  BENEVITY_IMPORT_SETTLE_MS: '2000',
  BENEVITY_CALLBACK_WAIT_MS: '3000',
  BENEVITY_IMPORT_POLL_INTERVAL_MS: '1000',
  GOODERA_RATE_LIMIT_PER_MINUTE: '600',
};

export interface FaultRun {
  readonly label: string;
  readonly events: number;
  readonly seed: number;
  /** Applies the fault; calls `publishRest` once (while the fault lasts, or after it). */
  fault(publishRest: () => Promise<void>, service: ServiceProcess): Promise<void>;
}

export async function runAcrossFault(world: AllPlatforms, run: FaultRun, services: ServiceProcess[]): Promise<void> {
  const { pipeline, benevity, workday } = world;
  for (const sim of [pipeline.goodera, benevity, workday]) sim.injectFault({ route: '*', kind: 'latency', ms: 30 });
  const service = spawnService(run.label, pipeline.scenario.env);
  services.push(service);
  await service.started;
  const events = sampleEvents(run.events, { tenants: TENANTS, seed: run.seed, now: new Date() });
  const half = Math.floor(run.events / 2);
  const first = await pipeline.publisher.publishImpactEvents(events.slice(0, half));
  const expected = expectedDeliveries(events.slice(0, half), first);
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= 20, 120_000);

  const atFault = pipeline.results().length;
  const started = Date.now();
  await run.fault(async () => {
    const rest = await pipeline.publisher.publishImpactEvents(events.slice(half));
    for (const key of expectedDeliveries(events.slice(half), rest)) expected.add(key);
  }, service);
  process.stdout.write(`${run.label}: results at fault ${atFault}, after it (${Date.now() - started} ms) ${pipeline.results().length} of ${expected.size}\n`);
  // The fault landed mid-run: work remained when it began.
  expect(atFault).toBeLessThan(expected.size);
  // The service waited for its dependency rather than exiting.
  expect({ exitCode: service.child.exitCode, signal: service.child.signalCode, log: service.logFile }).toMatchObject({ exitCode: null, signal: null });

  await expectEachDeliveredOnce(world, expected, run.label, 300_000);
  // And it still stops cleanly on SIGTERM, exiting 0, after the fault.
  const exit = await Promise.race([service.stop(), new Promise((resolve) => setTimeout(resolve, 30_000, 'still running 30 s after SIGTERM'))]);
  expect(exit).toBe(0);
}

/** A dependency a scenario runs its own copy of, to stop, kill and start at will. */
export interface Restartable {
  start(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  destroy(): Promise<void>;
}

const DEPENDENCIES = {
  postgres: async () => {
    const postgres = await postgresProcess();
    return { process: postgres as Restartable, env: { DATABASE_URL: postgres.url } };
  },
  kafka: async () => {
    const kafka = await kafkaProcess();
    return { process: kafka as Restartable, env: { KAFKA_BROKERS: kafka.brokers } };
  },
};

/**
 * One dependency-fault scenario: its own PostgreSQL or Kafka broker, the world over all three
 * platforms on it, `runAcrossFault` with `fault` given that dependency, and everything taken down
 * after (the dependency started again first, so the world can close cleanly).
 */
export function dependencyFaultScenario(
  title: string,
  spec: Omit<FaultRun, 'fault'> & {
    readonly dependency: keyof typeof DEPENDENCIES;
    fault(dependency: Restartable, publishRest: () => Promise<void>): Promise<void>;
  },
): void {
  let dependency: Restartable | undefined;
  let world: AllPlatforms | undefined;
  const services: ServiceProcess[] = [];
  beforeAll(async () => {
    const own = await DEPENDENCIES[spec.dependency]();
    dependency = own.process;
    await dependency.start();
    world = await createAllPlatforms(spec.label, { ...own.env, ...FAULT_RUN_ENV });
  }, 300_000); // its own broker / server starts first: slow on a busy machine
  afterAll(async () => {
    for (const service of services) await service.stop();
    await dependency?.start().catch(() => undefined);
    await world?.close();
    await dependency?.destroy();
  });
  test(title, async () => {
    await runAcrossFault(world!, { ...spec, fault: (publishRest) => spec.fault(dependency!, publishRest) }, services);
  }, 480_000);
}
