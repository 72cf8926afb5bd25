import { unavailableTranslator } from '../resilience/unavailable.js';
import { isPostgresUnavailable } from '../sql/postgres-errors.js';
import { type PostgresHandle, tablesOf } from '../sql/sql-handle.js';
import { type AggregatedBatch, aggregateBatch, type RollupRow } from './aggregate.js';
import {
  CREDENTIAL_CLIENT_COLUMNS,
  CREDENTIAL_CLIENT_CONFLICT,
  CREDENTIAL_USAGE_COLUMNS,
  CREDENTIAL_USAGE_CONFLICT,
  capOf,
  isStored,
  storedCount,
} from './credential-usage.js';
import { GRANULARITIES } from './granularity.js';
import { resolveRetention } from './retention.js';
import { createUsageReads } from './usage-reads.js';
import type { UsageDatabase } from './usage-schema.js';
import {
  EVENT_COLUMNS,
  KEY_USAGE_COLUMNS,
  KEY_USAGE_CONFLICT,
  ROLLUP_COLUMNS,
  ROLLUP_TABLES,
  rollupConflict,
} from './usage-sql.js';
import type { UsageEventStore, UsageRetention } from './usage-store.js';

export interface PostgresUsageStoreOptions {
  /** The database's one handle (the `Store`'s), migrated. The usage store never closes it. */
  sql: PostgresHandle;
  /** Retention periods; defaults in `DEFAULT_USAGE_RETENTION`. */
  retention?: Partial<UsageRetention>;
  /** Clock for batch bookkeeping, epoch ms. Default `Date.now`. */
  now?: () => number;
}

const EVENT_TYPES = [
  'bigint',
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'bigint',
  'text',
];
const ROLLUP_TYPES = ['bigint', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint'];
const KEY_TYPES = ['text', 'text', 'bigint', 'bigint', 'bigint', 'bigint'];
const CREDENTIAL_TYPES = ['text', 'bigint', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint'];
const CLIENT_TYPES = ['text', 'bigint', 'text', 'text', 'text', 'text', 'bigint', 'bigint'];

/**
 * The clients of rotation telemetry: a stored value always counts; a new one only while
 * its set stays under the cap. All of one statement sees the table as it was before, so
 * new values are numbered within their set (`r`) and admitted while stored + r <= cap.
 */
function clientsPart(nextParameter: () => number): string {
  const columns = CREDENTIAL_CLIENT_COLUMNS;
  const arrays = CLIENT_TYPES.map((type) => `$${nextParameter()}::${type}[]`).join(', ');
  const candidates = `select u.*, ${isStored('u')} as known from unnest(${arrays}) as u(${columns})`;
  const ranked =
    'select k.*, row_number() over (partition by k.key_id, k.rolled_at, k.credential, k.kind, k.known order by k.value) as r ' +
    `from (${candidates}) k`;
  return (
    `clients as (insert into key_credential_clients (${columns}) select ${columns} from (${ranked}) n ` +
    `where exists (select 1 from fresh) and (n.known or ${storedCount('n')} + n.r <= ${capOf('n')}) ` +
    `order by key_id, rolled_at, credential, kind, value ${CREDENTIAL_CLIENT_CONFLICT})`
  );
}

/**
 * The write as one statement with array parameters: `$1` batch id, `$2` time, then one
 * array per column of each table. Built once; its text never changes, so PostgreSQL
 * prepares it once per connection.
 */
function writeStatement(): string {
  let next = 3;
  const unnest = (types: readonly string[]) =>
    `select * from unnest(${types.map((type) => `$${next++}::${type}[]`).join(', ')}) where exists (select 1 from fresh)`;
  const parts = [
    'fresh as (insert into usage_batches (id, created_at) values ($1, $2) on conflict do nothing returning id)',
    `events as (insert into usage_events (${EVENT_COLUMNS}) ${unnest(EVENT_TYPES)})`,
    ...GRANULARITIES.map((granularity) => {
      const table = ROLLUP_TABLES[granularity];
      return `${granularity} as (insert into ${table} (${ROLLUP_COLUMNS}) ${unnest(ROLLUP_TYPES)} ${rollupConflict(table)})`;
    }),
    `keys as (insert into key_usage (${KEY_USAGE_COLUMNS}) ${unnest(KEY_TYPES)} ${KEY_USAGE_CONFLICT})`,
    `credentials as (insert into key_credential_usage (${CREDENTIAL_USAGE_COLUMNS}) ${unnest(CREDENTIAL_TYPES)} ${CREDENTIAL_USAGE_CONFLICT})`,
    clientsPart(() => next++),
  ];
  return `with ${parts.join(', ')} select count(*) from fresh`;
}

const rollupColumns = (rows: readonly RollupRow[]): unknown[][] => [
  rows.map((r) => r.bucket),
  rows.map((r) => r.workspaceId),
  rows.map((r) => r.apiId),
  rows.map((r) => r.keyId),
  rows.map((r) => r.consumerId),
  rows.map((r) => r.outcome),
  rows.map((r) => r.count),
  rows.map((r) => r.cost),
];

/** The parameters of `writeStatement`, in its order. */
function writeParameters(
  id: string,
  now: number,
  { raw, rollups, keys, credentials, clients }: AggregatedBatch,
): unknown[] {
  return [
    id,
    now,
    raw.map((r) => r.time),
    raw.map((r) => r.workspaceId),
    raw.map((r) => r.apiId),
    raw.map((r) => r.keyId),
    raw.map((r) => r.consumerId),
    raw.map((r) => r.outcome),
    raw.map((r) => r.cost),
    raw.map((r) => r.ip),
    raw.map((r) => r.tags),
    raw.map((r) => r.count),
    raw.map((r) => r.wouldDeny),
    ...GRANULARITIES.flatMap((granularity) => rollupColumns(rollups[granularity])),
    keys.map((k) => k.keyId),
    keys.map((k) => k.workspaceId),
    keys.map((k) => k.lastUsedAt),
    keys.map((k) => k.lastValidAt),
    keys.map((k) => k.requests),
    keys.map((k) => k.valid),
    credentials.map((c) => c.keyId),
    credentials.map((c) => c.rolledAt),
    credentials.map((c) => c.credential),
    credentials.map((c) => c.workspaceId),
    credentials.map((c) => c.requests),
    credentials.map((c) => c.valid),
    credentials.map((c) => c.firstSeen),
    credentials.map((c) => c.lastSeen),
    clients.map((c) => c.keyId),
    clients.map((c) => c.rolledAt),
    clients.map((c) => c.credential),
    clients.map((c) => c.kind),
    clients.map((c) => c.value),
    clients.map((c) => c.workspaceId),
    clients.map((c) => c.requests),
    clients.map((c) => c.lastSeen),
  ];
}

/**
 * A `UsageEventStore` on PostgreSQL. A batch is one prepared statement whatever its size
 * (one round trip, atomic): data-modifying CTEs give each table one `insert ... select
 * from unnest(<arrays>)`, all conditional on the batch id being new. Rollup rows arrive
 * sorted by primary key, so nodes upserting the same buckets at once lock them in one
 * order instead of deadlocking.
 *
 * @example const usage = createPostgresUsageStore({ sql }); // sql: the handle the Store uses
 */
export function createPostgresUsageStore(options: PostgresUsageStoreOptions): UsageEventStore {
  const { sql, now = Date.now } = options;
  const retention = resolveRetention(options.retention);
  const text = writeStatement();
  const translate = unavailableTranslator('the PostgreSQL database', isPostgresUnavailable);

  return {
    ...createUsageReads({ db: tablesOf<UsageDatabase>(sql), retention }),
    async write(batch) {
      const values = writeParameters(batch.id, now(), aggregateBatch(batch.events));
      // On the handle's pool, as a named statement: PostgreSQL plans it once per connection.
      await sql.pool.query({ name: 'keyward_usage_write', text, values }).catch((error: unknown) => {
        throw translate(error);
      });
    },
    // The handle belongs to its owner; nothing of the store's own to release.
    async close() {},
  };
}
