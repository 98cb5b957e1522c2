/**
 * Migrations, applied by `impact-in migrate` or at service start. Listed statically (not read
 * from the folder at run time) so the set is fixed at build time and bundlers keep it.
 * Names are timestamps: kysely applies them in name order.
 */
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './database.ts';
import * as initial from './migrations/2026_11_28_0001_initial.ts';
import * as redaction from './migrations/2026_11_28_0002_redaction.ts';
import * as deliveryJobs from './migrations/2026_11_29_0101_delivery_jobs.ts';
import * as parkedDeliveries from './migrations/2026_11_29_0201_parked_deliveries.ts';
import * as attemptHistory from './migrations/2026_11_29_0202_attempt_history.ts';
import * as jobRecordSource from './migrations/2026_11_29_0203_job_record_source.ts';
import * as unsettledSends from './migrations/2026_11_29_0204_unsettled_sends.ts';
import * as generationsReplays from './migrations/2026_12_07_1301_generations_replays.ts';
import * as replayItemTrace from './migrations/2026_12_07_1401_replay_item_trace.ts';
import * as tenantChangeNotify from './migrations/2026_12_07_1801_tenant_change_notify.ts';
import * as outboxNotifyTrigger from './migrations/2026_12_07_2201_outbox_notify_trigger.ts';

const MIGRATIONS: Record<string, Migration> = {
  '2026_11_28_0001_initial': initial,
  '2026_11_28_0002_redaction': redaction,
  '2026_11_29_0101_delivery_jobs': deliveryJobs,
  '2026_11_29_0201_parked_deliveries': parkedDeliveries,
  '2026_11_29_0202_attempt_history': attemptHistory,
  '2026_11_29_0203_job_record_source': jobRecordSource,
  '2026_11_29_0204_unsettled_sends': unsettledSends,
  '2026_12_07_1301_generations_replays': generationsReplays,
  '2026_12_07_1401_replay_item_trace': replayItemTrace,
  '2026_12_07_1801_tenant_change_notify': tenantChangeNotify,
  '2026_12_07_2201_outbox_notify_trigger': outboxNotifyTrigger,
};

function migrator(db: Db): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'impact_migrations',
    migrationLockTableName: 'impact_migrations_lock',
  });
}

function check(result: MigrationResultSet): string[] {
  if (result.error) throw result.error;
  return (result.results ?? []).map((r) => `${r.direction} ${r.migrationName}: ${r.status}`);
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  return check(await migrator(db).migrateToLatest());
}

export async function migrateDown(db: Db): Promise<string[]> {
  return check(await migrator(db).migrateDown());
}
