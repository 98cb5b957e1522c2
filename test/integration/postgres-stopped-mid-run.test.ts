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
import { dependencyFaultScenario } from './helpers/fault-run.ts';

dependencyFaultScenario('PostgreSQL stopped for 30 s mid-run: each (event, platform) exactly once', {
  dependency: 'postgres',
  label: 'pg-stopped',
  events: 200,
  seed: 1601,
  async fault(postgres, publishRest) {
    await postgres.stop();
    await publishRest();
    await sleep(30_000);
    await postgres.start();
  },
});
