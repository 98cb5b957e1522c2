/**
 * What must hold: the scenario's own Kafka broker restarted cleanly (SIGTERM, controlled shutdown,
 * started again) in the middle of a run over all three platforms while the redactor and router
 * are consuming and producing in transactions — every event reaches each platform that takes it exactly once (duplicates 0 at the simulators, by
 * business key), the results topic holds one final result per (event, platform), the service
 * never exits, and it still exits 0 on SIGTERM afterwards. Checked to fail: before
 * src/cli/commands/start.ts stopped waiting on handles kafkajs keeps after its broker restarted,
 * the service logged "stopped" on SIGTERM and never exited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, test } from 'vitest';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { FAULT_RUN_ENV, runAcrossFault } from './helpers/fault-run.ts';
import { kafkaProcess, type KafkaProcess } from './helpers/kafka-process.ts';
import type { ServiceProcess } from './helpers/service-process.ts';

let kafka: KafkaProcess;
let world: AllPlatforms;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  kafka = await kafkaProcess();
  await kafka.start();
  world = await createAllPlatforms('kafka-restarted', { KAFKA_BROKERS: kafka.brokers, ...FAULT_RUN_ENV });
}, 300_000); // its own broker / server starts first: slow on a busy machine

afterAll(async () => {
  for (const service of services) await service.stop();
  await kafka?.start().catch(() => undefined);
  await world?.close();
  await kafka?.destroy();
});

test('Kafka broker restarted cleanly mid-run: each (event, platform) exactly once', async () => {
  await runAcrossFault(
    world,
    {
      label: 'kafka-restarted',
      events: 200,
      seed: 1603,
      async fault(publishRest) {
        await kafka.stop();
        await sleep(5_000);
        await kafka.start();
        await publishRest();
      },
    },
    services,
  );
}, 480_000);
