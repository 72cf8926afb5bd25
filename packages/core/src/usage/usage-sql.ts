import type { RollupTable } from './usage-schema.js';

/**
 * The upsert clauses both dialects share (SQLite ≥ 3.24 and PostgreSQL speak the same
 * `on conflict ... do update`). Columns are table-qualified: PostgreSQL calls a bare
 * `count` ambiguous next to `excluded.count`.
 */

export const EVENT_COLUMNS =
  '"time", workspace_id, api_id, key_id, consumer_id, outcome, cost, ip, tags, "count", would_deny';

export const ROLLUP_COLUMNS = 'bucket, workspace_id, api_id, key_id, consumer_id, outcome, "count", cost';

export const rollupConflict = (table: RollupTable): string =>
  `on conflict (workspace_id, bucket, api_id, key_id, consumer_id, outcome) do update set ` +
  `"count" = ${table}."count" + excluded."count", cost = ${table}.cost + excluded.cost`;

export const KEY_USAGE_COLUMNS = 'key_id, workspace_id, last_used_at, last_valid_at, requests, valid';

/** Later times win; a null `last_valid_at` on either side keeps the other. */
export const KEY_USAGE_CONFLICT =
  'on conflict (key_id) do update set ' +
  'last_used_at = case when excluded.last_used_at > key_usage.last_used_at then excluded.last_used_at else key_usage.last_used_at end, ' +
  'last_valid_at = case when excluded.last_valid_at is null then key_usage.last_valid_at ' +
  'when key_usage.last_valid_at is null or excluded.last_valid_at > key_usage.last_valid_at then excluded.last_valid_at ' +
  'else key_usage.last_valid_at end, ' +
  'requests = key_usage.requests + excluded.requests, valid = key_usage.valid + excluded.valid';

export const ROLLUP_TABLES: Readonly<Record<'minute' | 'hour' | 'day', RollupTable>> = Object.freeze({
  minute: 'usage_minute',
  hour: 'usage_hour',
  day: 'usage_day',
});
