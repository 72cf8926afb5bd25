import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

/**
 * What every SQL store is built on: the database's one Kysely (or a transaction on it) and
 * its dialect. Stores type it with their own tables (`db.withTables<...>()`): one driver,
 * one connection pool (SQLite: one connection), one statement cache, whatever the store.
 */
export interface SqlExecutor {
  readonly db: Kysely<unknown>;
  readonly dialect: Dialect;
}

interface SqlHandleBase extends SqlExecutor {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * SQLite takes the write lock at `begin` (`begin immediate`), so a transaction that reads
   * first cannot fail to upgrade when another process wrote meanwhile.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Destroys the Kysely and closes the connection (SQLite) or ends the pool; harmless twice. */
  close(): Promise<void>;
}

/**
 * SQLite: one better-sqlite3 connection behind Kysely's single-connection driver, whose
 * mutex queues every query and transaction of every store: a statement never runs inside
 * another store's open transaction, and nothing busy-waits.
 */
export interface SqliteHandle extends SqlHandleBase {
  readonly dialect: 'sqlite';
  /**
   * Runs synchronous `work` on the raw connection while holding it (after any transaction in
   * progress ends, before the next starts): for bulk writes that prepared statements do
   * faster than Kysely (usage batches). `work` must not await.
   */
  exclusive<T>(work: (database: BetterSqlite3.Database) => T): Promise<T>;
}

/** PostgreSQL: one pg pool behind Kysely. `pool` serves what needs a dedicated client (LISTEN). */
export interface PostgresHandle extends SqlHandleBase {
  readonly dialect: 'postgres';
  readonly pool: pg.Pool;
}

/** One open database: created once at start-up and passed to every store on it. */
export type SqlHandle = SqliteHandle | PostgresHandle;

/**
 * Runs `work` in a transaction on `executor`, or inside the one `executor` already is
 * (Kysely transactions do not nest): a store's multi-statement write joins the caller's
 * transaction when there is one.
 *
 * @example await inTransaction(executor, async (tx) => { await tx.db.insertInto(...)... });
 */
export function inTransaction<T>(executor: SqlExecutor, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  if (executor.db.isTransaction) return work(executor);
  return executor.db.transaction().execute((trx) => work({ db: trx, dialect: executor.dialect }));
}

/**
 * `executor`'s Kysely typed with one store's tables. Every table lives in the one migrated
 * database (`store/migrations/`), so each store declares the part it uses; the Kysely (or
 * transaction) itself is the same object.
 */
export const tablesOf = <DB>(executor: SqlExecutor): Kysely<DB> => executor.db as Kysely<DB>;
