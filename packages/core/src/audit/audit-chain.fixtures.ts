import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { AuditEvent } from '../contracts/model.js';
import type { Store } from '../contracts/store.js';
import { newId } from '../keys/ids.js';
import type { SqlHandle } from '../sql/sql-handle.js';
import { createPostgresHandle, createPostgresPool, createStore, migratePostgres } from '../store/postgres.js';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { createThrowawayDatabase } from '../testing/throwaway-postgres.js';

/** A migrated database for audit-chain tests: stores on it, and raw SQL to tamper with its rows. */
export interface ChainBackend {
  /** A new Store on the same database (several of them act as several nodes or processes). */
  openStore(): Store;
  /** Runs raw SQL with `?` placeholders, for tampering. */
  exec(text: string, params?: unknown[]): Promise<void>;
  /** The first handle's Kysely, for running a migration's `up` again. */
  kysely(): Kysely<unknown>;
  dialect: 'sqlite' | 'postgres';
  /** The SQLite file (null on PostgreSQL). */
  path: string | null;
  cleanup(): Promise<void>;
}

export async function sqliteChainBackend(): Promise<ChainBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-audit-'));
  const path = join(dir, 'keyward.db');
  const first = createSqliteHandle({ database: openSqliteDatabase(path) });
  await migrateSqlite(first);
  // One handle per store: each acts as another process on the file.
  const handles: SqlHandle[] = [first];
  let firstTaken = false;
  return {
    dialect: 'sqlite',
    path,
    openStore() {
      let sql: SqlHandle = first;
      if (firstTaken) {
        sql = createSqliteHandle({ database: openSqliteDatabase(path) });
        handles.push(sql);
      }
      firstTaken = true;
      return createStore(sql);
    },
    exec: (text, params = []) => first.exclusive((database) => void database.prepare(text).run(...params)),
    kysely: () => first.db,
    async cleanup() {
      for (const handle of handles) await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresChainBackend(): Promise<ChainBackend> {
  const database = await createThrowawayDatabase();
  const admin = createPostgresHandle({ pool: createPostgresPool(database.url) });
  // `drop database … with (force)` at cleanup may kill a connection pg-pool is still closing.
  admin.pool.on('error', () => {});
  await migratePostgres(admin);
  const handles: SqlHandle[] = [];
  return {
    dialect: 'postgres',
    path: null,
    openStore() {
      // Its own pool: another node.
      const pool = createPostgresPool(database.url, { max: 4 });
      pool.on('error', () => {});
      const sql = createPostgresHandle({ pool });
      handles.push(sql);
      return createStore(sql);
    },
    exec: async (text, params = []) => {
      let i = 0;
      await admin.pool.query(
        text.replace(/\?/g, () => `$${++i}`),
        params,
      );
    },
    kysely: () => admin.db,
    async cleanup() {
      for (const handle of handles) await handle.close();
      await admin.close();
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
