/**
 * The check every fault scenario ends with: each (event, platform) has exactly one final result,
 * delivered, on the results topic; each simulator applied each business key once; and the
 * database holds one delivery row per (event, platform).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { DeliveryResult } from '../../../src/domain/delivery-result.ts';
import { readTopicToEnd } from '../../../src/kafka/kafkajs/read-topic.ts';
import type { AllPlatforms } from './all-platforms.ts';
import { deliveriesTo } from './all-platforms.ts';
import { decodeResult } from './avro.ts';

/**
 * The results topic read afresh, de-duplicated by key (the relay publishes at least once). A fresh
 * reader each time, not the scenario's long-lived tail: a tail consumer that crashed while the
 * broker was down is no evidence about the pipeline.
 */
async function readResults(world: AllPlatforms): Promise<DeliveryResult[]> {
  const { pipeline } = world;
  const byKey = new Map<string, DeliveryResult>();
  for (const message of await readTopicToEnd(pipeline.scenario.kafka, pipeline.topics.results)) {
    byKey.set(message.key!.toString(), decodeResult(message.value!));
  }
  return [...byKey.values()];
}

export async function expectEachDeliveredOnce(world: AllPlatforms, expected: ReadonlySet<string>, label: string, timeoutMs: number): Promise<void> {
  const { pipeline, benevity, workday } = world;
  const deadline = Date.now() + timeoutMs;
  let results = await readResults(world);
  while (results.length < expected.size) {
    if (Date.now() > deadline) throw new Error(`${label}: ${results.length} of ${expected.size} results after ${timeoutMs} ms`);
    await sleep(3_000);
    results = await readResults(world);
  }
  await sleep(2_000); // a duplicate result, were there one, would land by now
  results = await readResults(world);

  const count = (platform: string) => deliveriesTo(expected, platform);
  // Printed before the checks so that a failing run says which business keys went twice.
  for (const [name, sim] of [['goodera', pipeline.goodera], ['benevity', benevity], ['workday', workday]] as const) {
    const { accepted, distinctKeys, duplicateKeys } = sim.stats();
    process.stdout.write(`${label} ${name}: expected ${count(name)} accepted ${accepted} distinct ${distinctKeys} duplicate keys ${JSON.stringify(duplicateKeys)}\n`);
  }
  expect(new Set(results.map((r) => `${r.eventId}:${r.platform}`))).toEqual(expected);
  expect(results.filter((r) => r.status !== 'delivered').map((r) => `${r.platform} ${r.errorClass}`)).toEqual([]);
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: count('goodera'), distinctKeys: count('goodera'), duplicates: 0 });
  expect(benevity.stats()).toMatchObject({ accepted: count('benevity'), duplicates: 0 });
  expect(workday.stats()).toMatchObject({ accepted: count('workday'), duplicates: 0 });
  const rows = await pipeline.scenario.db.selectFrom('impact_deliveries').select(['event_id', 'platform']).execute();
  expect(rows).toHaveLength(expected.size);
}
