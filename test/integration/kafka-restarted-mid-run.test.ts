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
import { dependencyFaultScenario } from './helpers/fault-run.ts';

dependencyFaultScenario('Kafka broker restarted cleanly mid-run: each (event, platform) exactly once', {
  dependency: 'kafka',
  label: 'kafka-restarted',
  events: 200,
  seed: 1603,
  async fault(kafka, publishRest) {
    await kafka.stop();
    await sleep(5_000);
    await kafka.start();
    await publishRest();
  },
});
