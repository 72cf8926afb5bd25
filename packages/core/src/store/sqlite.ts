import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely';
import type { Store } from '../contracts/store.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations/migrations.js';
import type { Database } from './schema.js';

/** Prepared statements kept per database handle (keyward issues a few dozen distinct SQL texts). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Opens (creating if needed) the SQLite file at `path`, creating its parent directory;
 * `':memory:'` opens a private in-memory database.
 *
 * @example const database = openSqliteDatabase('./data/keyward.db');
 */
export function openSqliteDatabase(path: string): BetterSqlite3.Database {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  return new BetterSqlite3(path);
}

/**
 * The settings keyward relies on: WAL (readers never block the writer), synchronous=FULL
 * (a resolved write survives power loss, not only a crash), foreign keys, and a 5 s wait
 * for a lock held by another process instead of failing at once.
 */
function configure(database: BetterSqlite3.Database): void {
  database.pragma('busy_timeout = 5000');
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
}

/**
 * The handle as Kysely sees it. Kysely's SQLite driver prepares every statement anew;
 * re-using prepared statements saves SQLite's parse and plan on the hot path. Safe because
 * the driver runs one statement at a time on its single connection and keyward never
 * streams results. `close` only drops the statements: the handle's owner closes it.
 */
function kyselyDatabase(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(text) {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          const oldest = statements.keys().next();
          if (oldest.done !== true) statements.delete(oldest.value);
        }
        statements.set(text, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
    },
  };
}

export interface SqliteStoreOptions {
  /** An open better-sqlite3 handle (see `openSqliteDatabase`); the store takes it over and `store.close()` closes it. */
  database: BetterSqlite3.Database;
}

/**
 * A `Store` on SQLite. Sets the pragmas above on the handle; does not migrate (call
 * `migrateSqlite` first).
 *
 * @example
 * const database = openSqliteDatabase('./data/keyward.db');
 * await migrateSqlite(database);
 * const store = createSqliteStore({ database });
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const { database } = options;
  configure(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: kyselyDatabase(database) }) });
  return createKyselyStore(db, 'sqlite', () => {
    if (database.open) database.close();
  });
}

const MIGRATION_ATTEMPTS = 5;

/** A lost race with another handle migrating the same file: its snapshot went stale, or it recorded the migration first. */
const lostRace = (error: unknown): boolean => {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return (
    typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
};

/**
 * Brings the schema of `database` to the latest version (idempotent); leaves the handle
 * open. Kysely takes no lock on SQLite, so two processes migrating one file at once can
 * collide; the loser retries, and then finds the work done.
 */
export async function migrateSqlite(database: BetterSqlite3.Database): Promise<void> {
  configure(database);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: kyselyDatabase(database) }) });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await migrateToLatest(db, 'sqlite');
        return;
      } catch (error) {
        if (attempt >= MIGRATION_ATTEMPTS || !lostRace(error)) throw error;
        await setTimeout(20 * attempt);
      }
    }
  } finally {
    await db.destroy();
  }
}
