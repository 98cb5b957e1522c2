import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { patchKafkajsNegativeTimeout } from '../../../src/kafka/kafkajs/node-warnings.ts';

interface Queue {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
}
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (options: object) => Queue;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const queue = () => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, enforceRequestTimeout: false, clientId: 't', broker: 'b', logger: quiet });
const made: Queue[] = [];
afterEach(() => {
  for (const q of made.splice(0)) if (q.throttleCheckTimeoutId) clearTimeout(q.throttleCheckTimeoutId);
});

it("kafkajs's request queue no longer schedules a negative timer (no TimeoutNegativeWarning)", async () => {
  expect(patchKafkajsNegativeTimeout()).toBe(true);
  expect(patchKafkajsNegativeTimeout()).toBe(true); // once per process
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    const q = queue();
    made.push(q);
    expect(q.throttledUntil).toBe(-1); // kafkajs's initial value: the cause of the negative delay
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await sleep(20);
  } finally {
    process.off('warning', onWarning);
  }
  expect(warnings).not.toContain('TimeoutNegativeWarning');
});

it('still waits out a throttle a broker asked for, and checks once at a time', () => {
  patchKafkajsNegativeTimeout();
  const q = queue();
  made.push(q);
  const until = Date.now() + 60_000;
  q.throttledUntil = until;
  q.scheduleCheckPendingRequests();
  const timer = q.throttleCheckTimeoutId as unknown as { _idleTimeout: number };
  expect(timer._idleTimeout).toBeGreaterThan(59_000);
  q.scheduleCheckPendingRequests();
  expect(q.throttleCheckTimeoutId).toBe(timer);
  expect(q.throttledUntil).toBe(until);
});
