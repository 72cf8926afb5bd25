import type { Kysely } from 'kysely';
import { type Dialect, type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import type { Database, DbBool } from './schema.js';

export type { Dialect } from '../sql/sql-handle.js';

/** What every table module needs: the database (or a transaction on it) and the dialect's encodings. */
export interface StoreContext {
  db: Kysely<Database>;
  dialect: Dialect;
  /** A boolean as the dialect stores it (0/1 on SQLite, boolean on PostgreSQL). */
  bool(value: boolean): DbBool;
  /**
   * Runs a multi-statement write in one transaction, or inside the caller's when the store
   * already runs in one (`Store.transaction`): Kysely transactions do not nest.
   */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
}

export function createContext(executor: SqlExecutor): StoreContext {
  const { dialect } = executor;
  const db = tablesOf<Database>(executor);
  const bool = dialect === 'sqlite' ? (value: boolean) => (value ? 1 : 0) : (value: boolean) => value;
  const transaction = <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    db.isTransaction ? work(db) : db.transaction().execute(work);
  return { db, dialect, bool, transaction };
}
