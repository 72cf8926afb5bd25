import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely';
import { errorCode, unavailableTranslator } from '../resilience/unavailable.js';
import { inTransaction, type SqliteHandle } from './sql-handle.js';
import { translatingDialect } from './translating-dialect.js';

/** Prepared statements kept per database handle (keyward issues a few dozen distinct SQL texts). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Opens (creating if needed) the SQLite file at `path`, creating its parent directory;
 * `':memory:'` opens a private in-memory database. Pass it to `createSqliteHandle`.
 *
 * @example const handle = createSqliteHandle({ database: openSqliteDatabase('./data/keyward.db') });
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
 * SQLite errors that mean "not now": the file stayed locked past busy_timeout (another
 * process held the write lock), the disk failed, or the handle is closed (shutting down).
 */
export const isSqliteUnavailable = (error: Error): boolean => {
  const code = errorCode(error);
  if (code !== null && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_IOERR'))) return true;
  return error instanceof TypeError && error.message === 'The database connection is not open';
};

/**
 * The handle as Kysely's driver sees it. Kysely prepares every statement anew; re-using
 * prepared statements saves SQLite's parse and plan on the hot path. Safe because the
 * driver runs one statement at a time on its single connection and keyward never streams
 * results. `close` closes the connection (the handle owns it).
 */
function cachingDatabase(database: BetterSqlite3.Database): SqliteDatabase {
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
      if (database.open) database.close();
    },
  };
}

export interface SqliteHandleOptions {
  /** An open better-sqlite3 connection (see `openSqliteDatabase`); the handle takes it over and closes it. */
  database: BetterSqlite3.Database;
}

/**
 * The one handle on a SQLite database: sets the pragmas above, and puts one Kysely in front
 * of the connection, through which every store queries. Errors that mean "not now" (see
 * `isSqliteUnavailable`) are thrown as `KeywardError('UNAVAILABLE')`. Does not migrate
 * (call `migrateSqlite`).
 *
 * @example
 * const sql = createSqliteHandle({ database: openSqliteDatabase('./data/keyward.db') });
 * await migrateSqlite(sql);
 * const store = createStore(sql);
 */
export function createSqliteHandle(options: SqliteHandleOptions): SqliteHandle {
  const { database } = options;
  configure(database);
  const translate = unavailableTranslator('the SQLite database', isSqliteUnavailable);
  const db = new Kysely<unknown>({
    dialect: translatingDialect(new SqliteDialect({ database: cachingDatabase(database) }), {
      translate,
      begin: 'begin immediate',
    }),
  });
  let closing: Promise<void> | null = null;
  const handle: SqliteHandle = {
    db,
    dialect: 'sqlite',
    transaction: (work) => inTransaction(handle, work),
    exclusive: (work) =>
      db.connection().execute(async () => {
        try {
          return work(database);
        } catch (error) {
          throw translate(error);
        }
      }),
    close() {
      // Kysely closes the connection only when a query ever ran: close it in any case.
      closing ??= db.destroy().then(() => {
        if (database.open) database.close();
      });
      return closing;
    },
  };
  return handle;
}
