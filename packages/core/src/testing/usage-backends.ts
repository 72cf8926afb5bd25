import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresHandle, createPostgresPool, migratePostgres } from '../store/postgres.js';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import type { UsageEventStore } from '../usage/usage-store.js';
import { createUsageStore } from '../usage/usage-store-factory.js';
import { serviceAvailable } from './services.js';
import { createThrowawayDatabase } from './throwaway-postgres.js';

/** A usage store on a real database, for tests of what is built on it. */
export interface UsageBackend {
  usage: UsageEventStore;
  /** Runs a statement on the same database (e.g. to break a table on purpose). */
  exec(text: string): Promise<void>;
  /** Events stored (the sum of the raw rows' counts). */
  stored(): Promise<number>;
  /** The raw rows' `tags`, parsed, for tests that number their events. */
  tags(): Promise<string[][]>;
  cleanup(): Promise<void>;
}

export type UsageBackendFactory = () => Promise<UsageBackend>;

/** A migrated SQLite file in a fresh temp directory. */
export async function sqliteBackend(): Promise<UsageBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-usage-'));
  const sql = createSqliteHandle({ database: openSqliteDatabase(join(dir, 'keyward.db')) });
  await migrateSqlite(sql);
  const usage = createUsageStore({ sql });
  return {
    usage,
    exec: (text) => sql.exclusive((database) => void database.exec(text)),
    stored: () =>
      sql.exclusive((database) =>
        Number(
          (database.prepare('select coalesce(sum("count"), 0) as n from usage_events').get() as { n: number })
            .n,
        ),
      ),
    tags: () =>
      sql.exclusive((database) =>
        (database.prepare('select tags from usage_events order by id').all() as Array<{ tags: string }>).map(
          (row) => JSON.parse(row.tags) as string[],
        ),
      ),
    cleanup: async () => {
      await usage.close();
      await sql.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A migrated throwaway PostgreSQL database, dropped by `cleanup`. */
export async function postgresBackend(): Promise<UsageBackend> {
  const database = await createThrowawayDatabase();
  const sql = createPostgresHandle({ pool: createPostgresPool(database.url) });
  const { pool } = sql;
  await migratePostgres(sql);
  const usage = createUsageStore({ sql });
  return {
    usage,
    exec: async (text) => {
      await pool.query(text);
    },
    stored: async () =>
      Number((await pool.query('select coalesce(sum("count"), 0) as n from usage_events')).rows[0]?.n ?? 0),
    tags: async () =>
      (await pool.query<{ tags: string }>('select tags from usage_events order by id')).rows.map(
        (row) => JSON.parse(row.tags) as string[],
      ),
    cleanup: async () => {
      await usage.close();
      await sql.close();
      await database.drop();
    },
  };
}

/** SQLite always; PostgreSQL when reachable (`serviceAvailable` prints why not, or fails in CI). */
export async function usageBackends(): Promise<Array<[string, UsageBackendFactory]>> {
  const backends: Array<[string, UsageBackendFactory]> = [['sqlite file', sqliteBackend]];
  if (await serviceAvailable('postgres')) backends.push(['postgres', postgresBackend]);
  return backends;
}
