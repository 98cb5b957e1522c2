/**
 * Events that make per-key order visible at the Workday simulator: for each (tenant, employee)
 * key, `eventsPerKey` programme enrolments named `step 1`, `step 2`, … published in that order;
 * and the steps each key's records reached the simulator in.
 */
import type { NewImpactEvent } from '../../../src/publisher/publisher.ts';
import type { WorkdaySimulator } from '../../../src/simulators/workday/index.ts';
import { TENANTS } from './pipeline.ts';

const OCCURRED = Date.parse('2026-11-20T10:00:00.000Z');

export function keyedSteps(options: { employeesPerTenant: number; eventsPerKey: number; firstEmployee: number }): NewImpactEvent[] {
  const events: NewImpactEvent[] = [];
  for (let step = 1; step <= options.eventsPerKey; step++) {
    for (const tenantId of TENANTS) {
      for (let n = 0; n < options.employeesPerTenant; n++) {
        const occurredAt = new Date(OCCURRED + step * 60_000).toISOString();
        events.push({
          tenantId,
          kind: 'program_enrolment',
          occurredAt,
          source: 'hr-volunteering',
          subject: { employeeId: `E${options.firstEmployee + n}` },
          payload: { programId: 'prg-1', programName: `step ${step}`, enrolledOn: occurredAt.slice(0, 10) },
        });
      }
    }
  }
  return events;
}

/** Each key's steps in the order Workday accepted them (the pseudonymous worker id stands for the employee). */
export function stepsByKey(workday: WorkdaySimulator): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const { value } of workday.records()) {
    const record = value.record as { workerId: string; programName: string };
    const key = `${value.tenant}:${record.workerId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), Number(/^step (\d+)$/.exec(record.programName)?.[1] ?? Number.NaN)]);
  }
  return byKey;
}
