/** `impact-in migrate [--down]`: applies (or reverts the last) database migration. */
import { loadDatabaseConfig } from '../../config/config.ts';
import { createDb } from '../../db/database.ts';
import { migrateDown, migrateToLatest } from '../../db/migrator.ts';
import type { CommandSpec } from '../help.ts';
import { parseFlags } from '../usage.ts';

export const migrateSpec = {
  name: 'migrate',
  summary: 'apply the database migrations (the service also applies them at start)',
  description: 'Prints each migration applied, or "nothing to migrate".',
  flags: { down: { type: 'boolean', default: false, description: 'revert the last migration instead' } },
  env: ['DATABASE_URL'],
} as const satisfies CommandSpec;

export async function migrateCommand(args: string[]): Promise<void> {
  const { values } = parseFlags(args, migrateSpec.flags);
  const db = createDb(loadDatabaseConfig(), 1);
  try {
    const results = values.down ? await migrateDown(db) : await migrateToLatest(db);
    process.stdout.write(results.length === 0 ? 'nothing to migrate\n' : `${results.join('\n')}\n`);
  } finally {
    await db.destroy();
  }
}
