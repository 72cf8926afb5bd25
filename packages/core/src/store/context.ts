import type { Kysely } from 'kysely';
import type { Database, DbBool } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** What every table module needs: the database (or a transaction on it) and the dialect's encodings. */
export interface StoreContext {
  db: Kysely<Database>;
  dialect: Dialect;
  /** A boolean as the dialect stores it (0/1 on SQLite, boolean on PostgreSQL). */
  bool(value: boolean): DbBool;
}

export function createContext(db: Kysely<Database>, dialect: Dialect): StoreContext {
  const bool = dialect === 'sqlite' ? (value: boolean) => (value ? 1 : 0) : (value: boolean) => value;
  return { db, dialect, bool };
}
