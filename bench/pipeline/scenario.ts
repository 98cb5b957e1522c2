/**
 * Dropping a benchmark's world when it is done: its consumer groups, its database and topics
 * (test/integration/helpers/env.ts's cleanup) and its Redis keys, so runs on the shared stack
 * leave nothing behind.
 */
import { Redis } from 'ioredis';
import type { ScenarioEnv } from '../../test/integration/helpers/env.ts';

export async function dropScenario(scenario: ScenarioEnv, groups: readonly string[]): Promise<void> {
  const admin = scenario.kafka.admin();
  await admin.connect();
  if (groups.length > 0) await admin.deleteGroups([...groups]).catch(() => undefined);
  await admin.disconnect();
  await scenario.cleanup();
  const redis = new Redis(scenario.env.REDIS_URL!);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${scenario.env.REDIS_KEY_PREFIX}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
