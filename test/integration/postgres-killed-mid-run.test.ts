/**
 * What must hold: the scenario's own PostgreSQL killed with SIGKILL (postmaster and every backend,
 * open transactions and all) in the middle of a run over all three platforms, and started again
 * from its WAL — every event reaches each platform that takes it exactly once (duplicates 0 at the
 * simulators, by business key), the results topic holds one final result per (event, platform),
 * and the service never exits. Checked to fail: before src/db/database.ts kept an 'error' listener
 * on checked-out pg clients, the service died of an unhandled pg 'error' event when its
 * connections were cut.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { dependencyFaultScenario } from './helpers/fault-run.ts';

dependencyFaultScenario('PostgreSQL SIGKILLed mid-run and restarted: each (event, platform) exactly once', {
  dependency: 'postgres',
  label: 'pg-killed',
  events: 200,
  seed: 1602,
  async fault(postgres, publishRest) {
    await postgres.kill();
    await publishRest();
    await sleep(5_000);
    await postgres.start();
  },
});
