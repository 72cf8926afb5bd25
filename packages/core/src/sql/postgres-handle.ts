import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { unavailableTranslator } from '../resilience/unavailable.js';
import { isPostgresUnavailable } from './postgres-errors.js';
import { inTransaction, type PostgresHandle } from './sql-handle.js';
import { translatingDialect } from './translating-dialect.js';

export { isPostgresUnavailable } from './postgres-errors.js';

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

export interface PostgresHandleOptions {
  /** A pg pool (ideally from `createPostgresPool`); the handle takes it over and `close()` ends it. */
  pool: pg.Pool;
}

/**
 * The one handle on a PostgreSQL database: one Kysely on the pool, through which every store
 * queries. Errors that mean "not now" (see `isPostgresUnavailable`) are thrown as
 * `KeywardError('UNAVAILABLE')`. A pool made elsewhere works too: int8 values that arrive as
 * strings are converted by the mappers. Does not migrate (call `migratePostgres`).
 *
 * @example
 * const sql = createPostgresHandle({ pool: createPostgresPool(url) });
 * await migratePostgres(sql);
 * const store = createStore(sql);
 */
export function createPostgresHandle(options: PostgresHandleOptions): PostgresHandle {
  const { pool } = options;
  const db = new Kysely<unknown>({
    dialect: translatingDialect(
      // Kysely ends a pool only when a query ever ran: the handle ends it in any case.
      new PostgresDialect({ pool: { connect: () => pool.connect(), end: async () => {} } }),
      { translate: unavailableTranslator('the PostgreSQL database', isPostgresUnavailable) },
    ),
  });
  let closing: Promise<void> | null = null;
  const handle: PostgresHandle = {
    db,
    dialect: 'postgres',
    pool,
    transaction: (work) => inTransaction(handle, work),
    close() {
      closing ??= db.destroy().then(() => (pool.ending || pool.ended ? undefined : pool.end()));
      return closing;
    },
  };
  return handle;
}
