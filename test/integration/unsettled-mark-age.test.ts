/**
 * What must hold: PostgreSQL's mark that a send's outcome is unknown carries its age, by
 * PostgreSQL's own clock — the deliverer waits out the rest of the settle time before it looks
 * the record up, even when Redis has lost its own record of the wait — and the age restarts with
 * each later unknown send (the latest one is the one that may still be applied). Recording the
 * outcome clears the mark. Real PostgreSQL, the real state query.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DeliveryRepository } from '../../src/deliveries/delivery-repository.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

let scenario: ScenarioEnv;

beforeAll(async () => {
  scenario = await createScenarioEnv('unsettled-age');
});

afterAll(async () => {
  await scenario?.cleanup();
});

test('the unsettled mark reports its age, restarts it on a later mark, and goes with the outcome', async () => {
  const repository = new DeliveryRepository(scenario.db);
  const eventId = randomUUID();
  const ask = async () => (await repository.states('goodera', [{ eventId, orderingKey: 'acme:e1' }])).get(eventId)!;

  expect((await ask()).unsettledForMs).toBeNull();
  await repository.markUnsettled([eventId], 'goodera');
  await sleep(400);
  const aged = await ask();
  expect(aged.unsettledForMs).toBeGreaterThanOrEqual(350);
  expect(aged.unsettledForMs).toBeLessThan(10_000);

  // A later send of the same delivery went unanswered too: its time is the one that counts.
  await repository.markUnsettled([eventId], 'goodera');
  const again = await ask();
  expect(again.unsettledForMs).toBeLessThan(aged.unsettledForMs!);

  await repository.recordFinals(
    [
      {
        eventId,
        platform: 'goodera',
        tenantId: 'acme',
        kind: 'donation',
        status: 'delivered',
        attempts: 2,
        externalRef: 'gd-1',
        errorClass: null,
        errorReason: null,
        idempotencyKey: 'k'.repeat(64),
        firstAttemptAt: '2026-12-01T10:00:00.000Z',
        completedAt: '2026-12-01T10:00:01.000Z',
      },
    ],
    () => [],
  );
  expect(await ask()).toMatchObject({ unsettledForMs: null, row: { status: 'delivered' } });
});
