/**
 * Dropping a benchmark's world when it is done: its consumer groups (named, or under its prefix), its database and topics
 * (test/integration/helpers/env.ts's cleanup) and its Redis keys, so runs on the shared stack
 * leave nothing behind; and the environment that makes a service process write a CPU profile.
 */
import { Redis } from 'ioredis';
import type { ScenarioEnv } from '../../test/integration/helpers/env.ts';

export async function dropScenario(scenario: ScenarioEnv, groups: readonly string[]): Promise<void> {
  const admin = scenario.kafka.admin();
  await admin.connect();
  // The named groups, and any other this world's prefix names (e.g. a topic tail's own).
  const prefix = scenario.env.TOPIC_PREFIX!;
  const listed = await admin.listGroups().then(({ groups: all }) => all.map((g) => g.groupId).filter((id) => id.startsWith(prefix)), () => []);
  const mine = [...new Set([...groups, ...listed])];
  if (mine.length > 0) await admin.deleteGroups(mine).catch(() => undefined);
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

/** For a spawned service: with `--profile` on the bench's command line, a V8 CPU profile of it in `dir` (open it in DevTools). */
export function profileEnv(dir: string, argv: readonly string[] = process.argv): Record<string, string> {
  return argv.includes('--profile') ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` } : {};
}
