import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import type { AuditEvent } from '../contracts/model.js';
import type { Store } from '../contracts/store.js';
import { newId } from '../keys/ids.js';
import { createPostgresPool, createPostgresStore, migratePostgres } from '../store/postgres.js';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { createThrowawayDatabase } from '../testing/throwaway-postgres.js';

/** A migrated database for audit-chain tests: stores on it, and raw SQL to tamper with its rows. */
export interface ChainBackend {
  /** A new Store on the same database (several of them act as several nodes or processes). */
  openStore(): Store;
  /** Runs raw SQL with `?` placeholders, for tampering. */
  exec(text: string, params?: unknown[]): Promise<void>;
  /** A Kysely on the same database, for running a migration's `up` again. */
  kysely(): Kysely<unknown>;
  dialect: 'sqlite' | 'postgres';
  /** The SQLite file (null on PostgreSQL). */
  path: string | null;
  cleanup(): Promise<void>;
}

export async function sqliteChainBackend(): Promise<ChainBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-audit-'));
  const path = join(dir, 'keyward.db');
  const first = openSqliteDatabase(path);
  await migrateSqlite(first);
  const handles: BetterSqlite3.Database[] = [first];
  const stores: Store[] = [];
  return {
    dialect: 'sqlite',
    path,
    openStore() {
      const database = handles.length === 1 && stores.length === 0 ? first : openSqliteDatabase(path);
      if (database !== first) handles.push(database);
      const store = createSqliteStore({ database });
      stores.push(store);
      return store;
    },
    exec: async (text, params = []) => {
      first.prepare(text).run(...params);
    },
    kysely: () =>
      new Kysely<unknown>({
        dialect: new SqliteDialect({ database: { prepare: (t) => first.prepare(t), close() {} } }),
      }),
    async cleanup() {
      for (const store of stores) await store.close();
      for (const handle of handles) if (handle.open) handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresChainBackend(): Promise<ChainBackend> {
  const database = await createThrowawayDatabase();
  const admin = createPostgresPool(database.url);
  // `drop database … with (force)` at cleanup may kill a connection pg-pool is still closing.
  admin.on('error', () => {});
  await migratePostgres(admin);
  const pools: pg.Pool[] = [];
  const stores: Store[] = [];
  return {
    dialect: 'postgres',
    path: null,
    openStore() {
      const pool = createPostgresPool(database.url, { max: 4 });
      pool.on('error', () => {});
      pools.push(pool);
      const store = createPostgresStore({ pool });
      stores.push(store);
      return store;
    },
    exec: async (text, params = []) => {
      let i = 0;
      await admin.query(
        text.replace(/\?/g, () => `$${++i}`),
        params,
      );
    },
    kysely: () =>
      new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: { connect: () => admin.connect(), end: async () => {} } }),
      }),
    async cleanup() {
      for (const store of stores) await store.close();
      await admin.end();
      await database.drop();
    },
  };
}

let clock = 1_700_000_000_000;

/** A plausible audit event of `workspaceId` with fresh id and time. */
export const auditEvent = (workspaceId: string, over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: newId('evt'),
  workspaceId,
  actor: 'rk_test',
  action: 'key.update',
  targetType: 'key',
  targetId: newId('key'),
  before: { name: 'before', limits: [{ limit: 10 }] },
  after: { name: 'after', limits: [{ limit: 20 }], note: 'é ☃ "quoted"' },
  ip: '192.0.2.7',
  requestId: 'req_1',
  createdAt: clock++,
  ...over,
});
