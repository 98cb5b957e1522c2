/**
 * What must hold: the scenario's own PostgreSQL stopped (fast shutdown) for 30 s in the middle
 * of a run over all three platforms, with events still being published while it is down, and
 * started again — every event reaches each platform that takes it exactly once (duplicates 0 at
 * the simulators, by business key), the results topic holds one final result per
 * (event, platform), and the service never exits. Checked to fail: before src/db/database.ts kept
 * an 'error' listener on checked-out pg clients, the service died of an unhandled 'error' event
 * ("terminating connection due to administrator command") when PostgreSQL stopped, and no result
 * came after the restart.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, test } from 'vitest';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { FAULT_RUN_ENV, runAcrossFault } from './helpers/fault-run.ts';
import { postgresProcess, type PostgresProcess } from './helpers/postgres-process.ts';
import type { ServiceProcess } from './helpers/service-process.ts';

let postgres: PostgresProcess;
let world: AllPlatforms;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  postgres = await postgresProcess();
  await postgres.start();
  world = await createAllPlatforms('pg-stopped', { DATABASE_URL: postgres.url, ...FAULT_RUN_ENV });
}, 300_000); // its own broker / server starts first: slow on a busy machine

afterAll(async () => {
  for (const service of services) await service.stop();
  await postgres?.start().catch(() => undefined);
  await world?.close();
  await postgres?.destroy();
});

test('PostgreSQL stopped for 30 s mid-run: each (event, platform) exactly once', async () => {
  await runAcrossFault(
    world,
    {
      label: 'pg-stopped',
      events: 200,
      seed: 1601,
      async fault(publishRest) {
        await postgres.stop();
        await publishRest();
        await sleep(30_000);
        await postgres.start();
      },
    },
    services,
  );
}, 480_000);
