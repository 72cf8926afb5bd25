import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import type { Store } from '../contracts/store.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations/migrations.js';
import type { Database } from './schema.js';

const INT8_OID = 20;

/**
 * int8 (`bigint` columns, `count(*)`) parsed as a JS number on keyward's own pools only;
 * pg's global parsers stay untouched. keyward's int8 values are epoch ms and credit
 * balances, far below 2^53.
 */
const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresPoolOptions {
  /** Most connections the pool opens. Default 10. */
  max?: number;
  /** How long to wait for a connection before failing, in ms. Default 5_000. */
  connectionTimeoutMillis?: number;
  /** How long an idle connection is kept, in ms. Default 30_000. */
  idleTimeoutMillis?: number;
  /** Server-side statement timeout in ms; default none (the server's setting). */
  statementTimeoutMillis?: number;
  /** Shown in `pg_stat_activity`. Default `keyward`. */
  applicationName?: string;
  /**
   * Told when an IDLE connection fails (PostgreSQL restarted, the connection was
   * terminated). pg drops that connection and the next query opens a fresh one, so nothing
   * is lost; unheard, pg's 'error' event would crash the process. Default: ignored.
   */
  onIdleError?: (error: Error) => void;
}

/**
 * A pg pool for keyward: int8 parsed as number on this pool only (see above).
 *
 * @example const pool = createPostgresPool(process.env.KEYWARD_DATABASE_URL ?? '');
 */
export function createPostgresPool(url: string, options: PostgresPoolOptions = {}): pg.Pool {
  const {
    max = 10,
    connectionTimeoutMillis = 5_000,
    idleTimeoutMillis = 30_000,
    statementTimeoutMillis,
    applicationName = 'keyward',
    onIdleError = () => {},
  } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis,
    idleTimeoutMillis,
    application_name: applicationName,
    types: int8AsNumber,
    ...(statementTimeoutMillis === undefined ? {} : { statement_timeout: statementTimeoutMillis }),
  });
  pool.on('error', onIdleError);
  return pool;
}

/** The pool as Kysely sees it; its owner ends it (Kysely alone skips that when no query ever ran). */
const borrow = (pool: pg.Pool): PostgresPool => ({ connect: () => pool.connect(), end: async () => {} });

export interface PostgresStoreOptions {
  /** A pg pool (ideally from `createPostgresPool`); the store takes it over and `store.close()` ends it. */
  pool: pg.Pool;
}

/**
 * A `Store` on PostgreSQL. Does not migrate (call `migratePostgres` first). A pool made
 * elsewhere works too: int8 values that arrive as strings are converted by the mappers.
 *
 * @example
 * const pool = createPostgresPool(url);
 * await migratePostgres(pool);
 * const store = createPostgresStore({ pool });
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  const { pool } = options;
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: borrow(pool) }) });
  return createKyselyStore(db, 'postgres', () => (pool.ending || pool.ended ? undefined : pool.end()));
}

/**
 * Brings the schema to the latest version (idempotent; several nodes may call it at once:
 * Kysely's migrator serializes them with an advisory lock). Leaves the pool open.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrow(pool) }) });
  try {
    await migrateToLatest(db, 'postgres');
  } finally {
    await db.destroy();
  }
}
