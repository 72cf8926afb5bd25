import type { PostgresHandle } from '../sql/sql-handle.js';
import { migrateToLatest } from './migrations/migrations.js';

export {
  createPostgresHandle,
  createPostgresPool,
  isPostgresUnavailable,
  type PostgresHandleOptions,
  type PostgresPoolOptions,
} from '../sql/postgres-handle.js';
/**
 * `@keyward/core/postgres`: the PostgreSQL adapter. Make the pool and its one handle,
 * migrate, then build every store on that handle (`createStore`, `createUsageStore`, ...).
 */
export type { PostgresHandle, SqlExecutor, SqlHandle } from '../sql/sql-handle.js';
export { createStore } from './kysely-store.js';

/**
 * Brings the schema to the latest version (idempotent; several nodes may call it at once:
 * Kysely's migrator serializes them with an advisory lock), through the database's handle.
 */
export async function migratePostgres(handle: PostgresHandle): Promise<void> {
  await migrateToLatest(handle.db, 'postgres');
}
