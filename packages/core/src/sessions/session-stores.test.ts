import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { describe } from 'vitest';
import { createPostgresHandle, createPostgresPool, migratePostgres } from '../store/postgres.js';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { serviceAvailable } from '../testing/services.js';
import { createThrowawayDatabase } from '../testing/throwaway-postgres.js';
import { type SessionBackend, sessionStoreConformance } from './session-stores.conformance.js';
import { createSessionStores } from './session-stores.js';

const TABLES = [
  'dashboard_sessions',
  'portal_tokens',
  'portal_sessions',
  'portal_policies',
  'portal_branding',
];

const cellsOf = (rows: Array<Record<string, unknown>>): string[] =>
  rows.flatMap((row) => Object.values(row).map((value) => String(value)));

async function sqlite(path: string, cleanupDir: string | null): Promise<SessionBackend> {
  const database: BetterSqlite3.Database = openSqliteDatabase(path);
  const sql = createSqliteHandle({ database });
  await migrateSqlite(sql);
  return {
    stores: createSessionStores(sql),
    allCells: async () =>
      TABLES.flatMap((table) =>
        cellsOf(database.prepare(`select * from ${table}`).all() as Array<Record<string, unknown>>),
      ),
    async cleanup() {
      await sql.close();
      if (cleanupDir !== null) rmSync(cleanupDir, { recursive: true, force: true });
    },
  };
}

sessionStoreConformance('SQLite :memory:', () => sqlite(':memory:', null));
sessionStoreConformance('SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-sessions-'));
  return sqlite(join(dir, 'keyward.db'), dir);
});

const postgresUp = await serviceAvailable('postgres');
describe.runIf(postgresUp)('PostgreSQL', () => {
  sessionStoreConformance('PostgreSQL', async () => {
    const throwaway = await createThrowawayDatabase();
    const pool = createPostgresPool(throwaway.url);
    pool.on('error', () => {});
    const sql = createPostgresHandle({ pool });
    await migratePostgres(sql);
    return {
      stores: createSessionStores(sql),
      allCells: async () => {
        const cells: string[] = [];
        for (const table of TABLES) cells.push(...cellsOf((await pool.query(`select * from ${table}`)).rows));
        return cells;
      },
      async cleanup() {
        await sql.close();
        await throwaway.drop();
      },
    };
  });
});
