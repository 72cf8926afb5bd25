import type BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '../contracts/errors.js';
import { type SqliteHandle, tablesOf } from '../sql/sql-handle.js';
import { type AggregatedBatch, aggregateBatch } from './aggregate.js';
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
import type { RollupTable, UsageDatabase } from './usage-schema.js';
import {
  EVENT_COLUMNS,
  KEY_USAGE_COLUMNS,
  KEY_USAGE_CONFLICT,
  ROLLUP_COLUMNS,
  ROLLUP_TABLES,
  rollupConflict,
} from './usage-sql.js';
import type { UsageEventStore, UsageRetention } from './usage-store.js';

/** Batch ids remembered for idempotent retries (far more than a recorder ever retries). */
const REMEMBERED_BATCHES = 10_000;
/** `PRAGMA synchronous` values. */
const SYNC_LEVEL = { normal: 1, full: 2 } as const;

export interface SqliteUsageStoreOptions {
  /**
   * The database's one handle (the `Store`'s), migrated (`migrateSqlite`). A batch is written
   * while holding its connection (`exclusive`), so it never lands inside another store's
   * transaction. The usage store never closes it.
   */
  sql: SqliteHandle;
  /** Retention periods; defaults in `DEFAULT_USAGE_RETENTION`. */
  retention?: Partial<UsageRetention>;
  /**
   * How a batch commits. `normal` (default): without waiting for fsync; in WAL mode a
   * committed batch survives a process crash, and only an OS crash or power loss can take
   * the last ones back (never corrupting the file). `full`: waits for fsync like the
   * `Store`'s writes, ~3 ms of blocked event loop per batch on a typical disk.
   */
  synchronous?: 'normal' | 'full';
}

type Statements = ReturnType<typeof prepare>;

/** Single-row statements: with better-sqlite3, re-running one prepared row insert beats multi-row VALUES. */
function prepare(database: BetterSqlite3.Database) {
  const rollup = (table: RollupTable) =>
    database.prepare(
      `insert into ${table} (${ROLLUP_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?) ${rollupConflict(table)}`,
    );
  return {
    event: database.prepare(
      `insert into usage_events (${EVENT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    rollups: {
      minute: rollup(ROLLUP_TABLES.minute),
      hour: rollup(ROLLUP_TABLES.hour),
      day: rollup(ROLLUP_TABLES.day),
    },
    key: database.prepare(
      `insert into key_usage (${KEY_USAGE_COLUMNS}) values (?, ?, ?, ?, ?, ?) ${KEY_USAGE_CONFLICT}`,
    ),
    credential: database.prepare(
      `insert into key_credential_usage (${CREDENTIAL_USAGE_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?) ${CREDENTIAL_USAGE_CONFLICT}`,
    ),
    // A new value only while its set is under the cap; a stored one always counts.
    client: database.prepare(
      `insert into key_credential_clients (${CREDENTIAL_CLIENT_COLUMNS}) ` +
        'select * from (select @keyId as key_id, @rolledAt as rolled_at, @credential as credential, @kind as kind, ' +
        '@value as value, @workspaceId as workspace_id, @requests as requests, @lastSeen as last_seen) as n ' +
        `where ${isStored('n')} or ${storedCount('n')} < ${capOf('n')} ${CREDENTIAL_CLIENT_CONFLICT}`,
    ),
  };
}

/** One synchronous transaction: nothing else can run on the handle between its statements. */
function apply(statements: Statements, batch: AggregatedBatch): void {
  for (const r of batch.raw) {
    statements.event.run(
      r.time,
      r.workspaceId,
      r.apiId,
      r.keyId,
      r.consumerId,
      r.outcome,
      r.cost,
      r.ip,
      r.tags,
      r.count,
      r.wouldDeny,
    );
  }
  for (const granularity of GRANULARITIES) {
    const upsert = statements.rollups[granularity];
    for (const r of batch.rollups[granularity]) {
      upsert.run(r.bucket, r.workspaceId, r.apiId, r.keyId, r.consumerId, r.outcome, r.count, r.cost);
    }
  }
  for (const k of batch.keys) {
    statements.key.run(k.keyId, k.workspaceId, k.lastUsedAt, k.lastValidAt, k.requests, k.valid);
  }
  for (const c of batch.credentials) {
    statements.credential.run(
      c.keyId,
      c.rolledAt,
      c.credential,
      c.workspaceId,
      c.requests,
      c.valid,
      c.firstSeen,
      c.lastSeen,
    );
  }
  for (const c of batch.clients) statements.client.run(c);
}

/**
 * A `UsageEventStore` on the database's SQLite handle. A batch is written in one synchronous
 * transaction of prepared statements on the raw connection, while holding it (the handle's
 * `exclusive`): any transaction another store has open ends first, and nothing else runs on
 * the connection in between. A local transaction either commits or throws, so batch ids
 * need no table here: the store remembers the last 10 000 it wrote, which makes a repeated
 * write of one a no-op.
 *
 * @example const usage = createSqliteUsageStore({ sql }); // sql: the handle the Store uses
 */
export function createSqliteUsageStore(options: SqliteUsageStoreOptions): UsageEventStore {
  const { sql, synchronous = 'normal' } = options;
  if (synchronous !== 'normal' && synchronous !== 'full') {
    throw new KeywardError('VALIDATION', 'synchronous must be normal or full', { field: 'synchronous' });
  }
  const level = SYNC_LEVEL[synchronous];
  const retention = resolveRetention(options.retention);
  const written = new Set<string>();
  let prepared: {
    statements: Statements;
    transaction: BetterSqlite3.Transaction<(batch: AggregatedBatch) => void>;
    pragma: (text: string) => BetterSqlite3.Statement;
  } | null = null;

  const prepareOn = (database: BetterSqlite3.Database) => {
    const statements = prepare(database);
    const pragmas = new Map<string, BetterSqlite3.Statement>();
    return {
      statements,
      transaction: database.transaction((batch: AggregatedBatch) => apply(statements, batch)),
      pragma: (text: string): BetterSqlite3.Statement => {
        let statement = pragmas.get(text);
        if (statement === undefined) {
          statement = database.prepare(`pragma ${text}`);
          pragmas.set(text, statement);
        }
        return statement;
      },
    };
  };

  return {
    ...createUsageReads({ db: tablesOf<UsageDatabase>(sql), retention }),
    async write(batch) {
      if (written.has(batch.id)) return;
      const aggregated = aggregateBatch(batch.events);
      await sql.exclusive((database) => {
        prepared ??= prepareOn(database);
        const { transaction, pragma } = prepared;
        // The setting is per connection: switch it around this one synchronous transaction
        // only, so that the other stores' writes keep theirs.
        const previous = pragma('synchronous').pluck().get() as number;
        if (previous !== level) pragma(`synchronous = ${level}`).run();
        try {
          transaction(aggregated);
        } finally {
          if (previous !== level) pragma(`synchronous = ${previous}`).run();
        }
      });
      written.add(batch.id);
      if (written.size > REMEMBERED_BATCHES) written.delete(written.values().next().value as string);
    },
    // The handle belongs to its owner; nothing of the store's own to release.
    async close() {},
  };
}
