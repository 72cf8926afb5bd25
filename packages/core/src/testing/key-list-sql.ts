import type { KeyListQuery } from '../contracts/store.js';
import { type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import { createContext } from '../store/context.js';
import { applyKeyFilters } from '../store/key-list-filters.js';
import { pageBounds } from '../store/pagination.js';
import type { Database } from '../store/schema.js';

export type { Database as StoreDatabase } from '../store/schema.js';

/**
 * The SQL `store.keys.list` runs for `query`, built by the same filter function, so that a
 * benchmark or a test can EXPLAIN exactly what the keys page costs.
 */
export function keyListSql(sql: SqlExecutor, workspaceId: string, query: KeyListQuery) {
  const db = tablesOf<Database>(sql);
  const { limit, after } = pageBounds(query);
  // As the store does: a search first selects the page's ids (on the covering index).
  const select = db.selectFrom('keys');
  const base = (query.search === undefined ? select.selectAll() : select.select('id')).where(
    'workspace_id',
    '=',
    workspaceId,
  );
  return applyKeyFilters(createContext(sql), base, workspaceId, query, after)
    .orderBy('id', query.order ?? 'asc')
    .limit(limit + 1)
    .compile();
}
