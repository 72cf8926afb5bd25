import type { SqlHandle } from '../sql/sql-handle.js';
import { createPostgresUsageStore } from './postgres-usage-store.js';
import { createSqliteUsageStore } from './sqlite-usage-store.js';
import type { UsageEventStore, UsageRetention } from './usage-store.js';

export interface UsageStoreOptions {
  /** The database's one handle (the `Store`'s), migrated. The usage store never closes it. */
  sql: SqlHandle;
  /** Retention periods; defaults in `DEFAULT_USAGE_RETENTION`. */
  retention?: Partial<UsageRetention>;
  /** SQLite only: how a batch commits (see `SqliteUsageStoreOptions`). Default `normal`. */
  synchronous?: 'normal' | 'full';
}

/**
 * The usage store of the handle's dialect.
 *
 * @example const usage = createUsageStore({ sql });
 */
export function createUsageStore(options: UsageStoreOptions): UsageEventStore {
  const { sql, retention, synchronous } = options;
  const common = retention === undefined ? {} : { retention };
  return sql.dialect === 'sqlite'
    ? createSqliteUsageStore({ sql, ...common, ...(synchronous === undefined ? {} : { synchronous }) })
    : createPostgresUsageStore({ sql, ...common });
}
