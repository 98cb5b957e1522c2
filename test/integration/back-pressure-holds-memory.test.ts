/**
 * What must hold: with a large backlog on its deliver topic and a slow platform, a key-ordered
 * deliverer holds at most DELIVERY_IN_FLIGHT_PER_PROCESS deliveries at once and leaves the rest of
 * the backlog in Kafka — its memory stays bounded instead of growing with the backlog.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createAllPlatforms, type AllPlatforms } from './helpers/all-platforms.ts';
import { putOnDeliverTopic, redactedActivity } from './helpers/deliver-topic.ts';
import { TENANTS } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const BACKLOG = 20_000;
const IN_FLIGHT = 32;
/**
 * The deliverer runs with its old-generation heap capped here: its own baseline (modules,
 * clients, caches) fits with room to spare, while 20,000 decoded events with their pending
 * deliveries would not — a deliverer that read the backlog into memory would die of it. (RSS is
 * printed, not asserted: it follows V8's lazy collection and the coverage run's instrumentation
 * more than what the process holds.)
 */
const HEAP_CAP_MB = 128;

let world: AllPlatforms;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  world = await createAllPlatforms('backpressure', { TOPIC_PARTITIONS: '6', DELIVERY_IN_FLIGHT_PER_PROCESS: String(IN_FLIGHT) });
});

afterAll(async () => {
  await service?.stop();
  await world?.close();
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Values of the service's metrics whose series start with each prefix given. */
async function metrics(port: number, prefixes: readonly string[]): Promise<number[]> {
  const lines = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
  return prefixes.map((prefix) => {
    const line = lines.find((l) => l.startsWith(prefix));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  });
}

test('a 20,000-event backlog to a slow platform: in flight stays at its bound, the backlog stays in Kafka, memory stays bounded', async () => {
  // 100 ms per answer: the backlog drains at about IN_FLIGHT / 0.1 s, far slower than it is read.
  world.workday.injectFault({ route: '*', kind: 'latency', ms: 100 });
  const events = Array.from({ length: BACKLOG }, (_, i) => redactedActivity(randomUUID(), TENANTS[i % TENANTS.length]!, (i % 5_000).toString(16)));
  await putOnDeliverTopic(world.pipeline, events, 'workday');

  service = spawnService('backpressure', { ...world.pipeline.scenario.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MB}` }, 'deliver:workday');
  const port = await service.started;
  const pid = service.child.pid!;
  while (world.workday.stats().accepted < 100) await sleep(50);

  // Sample while the deliverer works through the first part of the backlog.
  let maxInFlight = 0;
  let peakHeap = 0;
  let peakRss = 0;
  const until = world.workday.stats().accepted + 1_000;
  while (world.workday.stats().accepted < until) {
    const [inFlight, heapUsed] = await metrics(port, ['impactin_deliveries_in_flight{platform="workday"}', 'impactin_nodejs_heap_size_used_bytes']);
    maxInFlight = Math.max(maxInFlight, inFlight!);
    peakHeap = Math.max(peakHeap, heapUsed! / 1024 / 1024);
    peakRss = Math.max(peakRss, rssMb(pid));
    await sleep(100);
  }
  const accepted = world.workday.stats().accepted;
  process.stdout.write(
    `back-pressure: in flight at most ${maxInFlight} (bound ${IN_FLIGHT}), peak heap used ${peakHeap.toFixed(0)} MB, peak RSS ${peakRss.toFixed(0)} MB, ${accepted} of ${BACKLOG} delivered\n`,
  );

  expect(maxInFlight).toBeGreaterThan(0);
  expect(maxInFlight).toBeLessThanOrEqual(IN_FLIGHT);
  // Alive and delivering under the cap, its heap inside it.
  expect(service.child.exitCode).toBeNull();
  expect(peakHeap).toBeGreaterThan(0);
  expect(peakHeap).toBeLessThan(HEAP_CAP_MB);
  expect(world.workday.stats().duplicates).toBe(0);
});
