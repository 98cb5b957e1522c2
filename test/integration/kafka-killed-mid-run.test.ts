/**
 * What must hold: the scenario's own Kafka broker killed with SIGKILL in the middle of a run over
 * all three platforms while the redactor and router are consuming and producing in transactions
 * (events flow through them when it dies, so transactions are open), and started again from its
 * log — every event reaches each platform that takes it exactly once (duplicates 0 at the simulators, by
 * business key), the results topic holds one final result per (event, platform), the service
 * never exits, and it still exits 0 on SIGTERM afterwards. Not run against a deliberately broken
 * build: a doubled delivery would show as a duplicate business key at a simulator, a lost one as
 * a missing result (the checks of helpers/exactly-once.ts, which fail in the PostgreSQL scenarios).
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
  world = await createAllPlatforms('kafka-killed', { KAFKA_BROKERS: kafka.brokers, ...FAULT_RUN_ENV });
}, 300_000); // its own broker / server starts first: slow on a busy machine

afterAll(async () => {
  for (const service of services) await service.stop();
  await kafka?.start().catch(() => undefined);
  await world?.close();
  await kafka?.destroy();
});

test('Kafka broker SIGKILLed mid-run, transactions open: each (event, platform) exactly once', async () => {
  await runAcrossFault(
    world,
    {
      label: 'kafka-killed',
      events: 200,
      seed: 1604,
      async fault(publishRest) {
        await kafka.kill();
        await sleep(5_000);
        await kafka.start();
        await publishRest();
      },
    },
    services,
  );
}, 480_000);
