import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type pg from 'pg';
import { KeywardError } from '../contracts/errors.js';
import type { Dialect } from '../store/context.js';

/** Where a side store (alerts, webhooks) keeps its tables: the `Store`'s own SQLite handle or PostgreSQL pool. */
export type SqlSource = { database: BetterSqlite3.Database } | { pool: pg.Pool };

/** What one statement returned. */
export interface SqlResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted (with `returning`: the rows returned). */
  affected: number;
}

/**
 * Runs Kysely-built statements on a database that the `Store` also uses. Queries are
 * built with `db` (typed) and executed with `run`; nothing here opens a transaction.
 *
 * On SQLite the handle is shared with the `Store`, whose transactions span awaits: a
 * statement issued while one is open would join it (and vanish with its rollback). So
 * `run` waits until the handle is outside any transaction, then executes the statement
 * synchronously, in the same tick as that check: nothing can slip in between.
 */
export interface SqlRunner<DB> {
  readonly dialect: Dialect;
  /** Builds queries; never call `.execute()` on it (SQLite: it has no driver). */
  readonly db: Kysely<DB>;
  run<R>(query: { compile(): CompiledQuery<R> }): Promise<SqlResult<R>>;
  close(): Promise<void>;
}

/** How long `run` waits for the shared SQLite handle to leave another transaction. */
const IDLE_WAIT_MS = 5_000;
const STATEMENT_CACHE_SIZE = 128;

function sqliteRunner<DB>(database: BetterSqlite3.Database): SqlRunner<DB> {
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (text: string): BetterSqlite3.Statement => {
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
  };
  return {
    dialect: 'sqlite',
    db,
    async run<R>(query: { compile(): CompiledQuery<R> }): Promise<SqlResult<R>> {
      const { sql, parameters } = query.compile();
      const deadline = Date.now() + IDLE_WAIT_MS;
      while (database.inTransaction) {
        if (Date.now() > deadline) {
          throw new KeywardError('UNAVAILABLE', 'the SQLite handle stayed inside another transaction');
        }
        await sleep(1);
      }
      const statement = prepare(sql);
      if (statement.reader) {
        const rows = statement.all(...parameters) as R[];
        return { rows, affected: rows.length };
      }
      return { rows: [], affected: statement.run(...parameters).changes };
    },
    async close() {
      statements.clear();
      await db.destroy();
    },
  };
}

function postgresRunner<DB>(pool: pg.Pool): SqlRunner<DB> {
  // The pool's owner ends it.
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: { connect: () => pool.connect(), end: async () => {} } }),
  });
  return {
    dialect: 'postgres',
    db,
    async run<R>(query: { compile(): CompiledQuery<R> }): Promise<SqlResult<R>> {
      const result = await db.executeQuery(query.compile());
      return { rows: result.rows, affected: Number(result.numAffectedRows ?? 0n) };
    },
    close: () => db.destroy(),
  };
}

/**
 * A runner on the `Store`'s database; it never closes the handle or pool.
 *
 * @example const runner = createSqlRunner<AlertDatabase>({ database });
 */
export function createSqlRunner<DB>(source: SqlSource): SqlRunner<DB> {
  return 'database' in source ? sqliteRunner<DB>(source.database) : postgresRunner<DB>(source.pool);
}
