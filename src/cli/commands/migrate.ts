/** `impact-in migrate [--down]`: applies (or reverts the last) database migration. */
import { loadDatabaseConfig } from '../../config/config.ts';
import { createDb } from '../../db/database.ts';
import { migrateDown, migrateToLatest } from '../../db/migrator.ts';
import { parseFlags } from '../usage.ts';

export async function migrateCommand(args: string[]): Promise<void> {
  const { values } = parseFlags(args, { down: { type: 'boolean', default: false } });
  const db = createDb(loadDatabaseConfig(), 1);
  try {
    const results = values.down ? await migrateDown(db) : await migrateToLatest(db);
    process.stdout.write(results.length === 0 ? 'nothing to migrate\n' : `${results.join('\n')}\n`);
  } finally {
    await db.destroy();
  }
}
