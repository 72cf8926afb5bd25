import { setTimeout } from 'node:timers/promises';
import type { SqliteHandle } from '../sql/sql-handle.js';
import { migrateToLatest } from './migrations/migrations.js';

/**
 * `@keyward/core/sqlite`: the SQLite adapter. Open the file, make its one handle, migrate,
 * then build every store on that handle (`createStore`, `createUsageStore`, ...).
 */
export type { SqlExecutor, SqlHandle, SqliteHandle } from '../sql/sql-handle.js';
export {
  createSqliteHandle,
  isSqliteUnavailable,
  openSqliteDatabase,
  type SqliteHandleOptions,
} from '../sql/sqlite-handle.js';
export { createStore } from './kysely-store.js';

const MIGRATION_ATTEMPTS = 5;

/** A lost race with another process migrating the same file: its snapshot went stale, or it recorded the migration first. */
const lostRace = (error: unknown): boolean => {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    )
      return true;
    current = current.cause;
  }
  return false;
};

/**
 * Brings the schema of the database to the latest version (idempotent), through its one
 * handle. Kysely takes no lock on SQLite, so two processes migrating one file at once can
 * collide; the loser retries, and then finds the work done.
 */
export async function migrateSqlite(handle: SqliteHandle): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateToLatest(handle.db, 'sqlite');
      return;
    } catch (error) {
      if (attempt >= MIGRATION_ATTEMPTS || !lostRace(error)) throw error;
      await setTimeout(20 * attempt);
    }
  }
}
