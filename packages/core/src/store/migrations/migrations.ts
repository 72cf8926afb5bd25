import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { KeywardError } from '../../contracts/errors.js';
import type { Dialect } from '../context.js';
import { initial, typesFor } from './migration-0001-initial.js';
import { usage } from './migration-0002-usage.js';
import { auditChain } from './migration-0003-audit-chain.js';
import { monitoring } from './migration-0004-monitoring.js';
import { webhooks } from './migration-0005-webhooks.js';
import { workspaceDigests } from './migration-0006-workspace-digests.js';
import { sessions } from './migration-0007-sessions.js';
import { keySearch } from './migration-0007b-key-search.js';
import { leakReports } from './migration-0008-leak-reports.js';
import { lifetimePolicies } from './migration-0009-lifetime-policies.js';
import { dryRun } from './migration-0010-dry-run.js';
import { childKeys } from './migration-0011-child-keys.js';
import { rotationTelemetry } from './migration-0012-rotation-telemetry.js';
import { publishableKeys } from './migration-0013-publishable-keys.js';

/**
 * The schema, as in-code migrations shared by SQLite and PostgreSQL (no files are read at
 * run time). Types branch on the dialect only where they differ; see schema.ts for the
 * storage conventions. Every statement is `if not exists`, so a migration re-run after a
 * crash between DDL and bookkeeping still succeeds. Kysely's Migrator takes a lock
 * (`pg_advisory_xact_lock` on PostgreSQL) so that several nodes can migrate at once.
 */

/** Every migration, by name; names sort in the order they run. */
export const migrationsFor = (dialect: Dialect): Record<string, Migration> => {
  const types = typesFor(dialect);
  return {
    '0001_initial': initial(types),
    '0002_usage': usage(types, dialect),
    '0003_audit_chain': auditChain(types, dialect),
    '0004_monitoring': monitoring(types),
    '0005_webhooks': webhooks(types),
    '0006_workspace_digests': workspaceDigests(types, dialect),
    '0007_sessions': sessions(types),
    '0007b_key_search': keySearch(types),
    '0008_leak_reports': leakReports(types),
    '0009_lifetime_policies': lifetimePolicies(types, dialect),
    '0010_dry_run': dryRun(dialect),
    '0011_child_keys': childKeys(types, dialect),
    '0012_rotation_telemetry': rotationTelemetry(types),
    '0013_publishable_keys': publishableKeys(types),
  };
};

/** Brings the schema to the latest version; throws `KeywardError` `INTERNAL` with the cause when a migration fails. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'keyward_migration',
    migrationLockTableName: 'keyward_migration_lock',
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'setup';
    throw new KeywardError('INTERNAL', `database migration ${failed} failed`, { cause: error });
  }
}
