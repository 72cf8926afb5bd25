import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KeywardError } from '../contracts/errors.js';
import { type AggregatedBatch, aggregateBatch } from './aggregate.js';
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

/** How long a write waits for the shared handle to leave another transaction before failing (and being retried). */
const IDLE_WAIT_MS = 5_000;
/** Batch ids remembered for idempotent retries (far more than a recorder ever retries). */
const REMEMBERED_BATCHES = 10_000;
/** `PRAGMA synchronous` values. */
const SYNC_LEVEL = { normal: 1, full: 2 } as const;

export interface SqliteUsageStoreOptions {
  /**
   * The better-sqlite3 handle the `Store` uses, migrated (`migrateSqlite`). Shared on
   * purpose: SQLite has one writer, and a second handle would wait on the first's lock
   * while blocking the thread it needs to finish. The usage store never closes it.
   */
  database: BetterSqlite3.Database;
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
      `insert into usage_events (${EVENT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    rollups: {
      minute: rollup(ROLLUP_TABLES.minute),
      hour: rollup(ROLLUP_TABLES.hour),
      day: rollup(ROLLUP_TABLES.day),
    },
    key: database.prepare(
      `insert into key_usage (${KEY_USAGE_COLUMNS}) values (?, ?, ?, ?, ?, ?) ${KEY_USAGE_CONFLICT}`,
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
}

/**
 * A `UsageEventStore` on the SQLite handle of the `Store`. A batch is written in one
 * synchronous transaction of prepared statements (nothing else runs on the handle in
 * between), after waiting for the handle to leave any transaction the `Store` has open:
 * nesting inside it would tie the batch to that transaction's fate. A local transaction
 * either commits or throws, so batch ids need no table here: the store remembers the last
 * 10 000 it wrote, which makes a repeated write of one a no-op.
 *
 * @example
 * const database = openSqliteDatabase('./data/keyward.db');
 * await migrateSqlite(database);
 * const store = createSqliteStore({ database });
 * const usage = createSqliteUsageStore({ database });
 */
export function createSqliteUsageStore(options: SqliteUsageStoreOptions): UsageEventStore {
  const { database, synchronous = 'normal' } = options;
  if (synchronous !== 'normal' && synchronous !== 'full') {
    throw new KeywardError('VALIDATION', 'synchronous must be normal or full', { field: 'synchronous' });
  }
  const level = SYNC_LEVEL[synchronous];
  const retention = resolveRetention(options.retention);
  let statements: Statements | null = null;
  const transaction = database.transaction((batch: AggregatedBatch) => {
    statements ??= prepare(database);
    apply(statements, batch);
  });
  const written = new Set<string>();
  const pragmas = new Map<string, BetterSqlite3.Statement>();
  const pragma = (text: string): BetterSqlite3.Statement => {
    let statement = pragmas.get(text);
    if (statement === undefined) {
      statement = database.prepare(`pragma ${text}`);
      pragmas.set(text, statement);
    }
    return statement;
  };

  const ready = async (): Promise<void> => {
    const deadline = Date.now() + IDLE_WAIT_MS;
    while (database.inTransaction) {
      if (Date.now() > deadline) {
        throw new KeywardError('UNAVAILABLE', 'the SQLite handle stayed inside another transaction');
      }
      await sleep(1);
    }
  };

  // Kysely for the reads; `close` must not close the handle the Store owns.
  const db = new Kysely<UsageDatabase>({
    dialect: new SqliteDialect({ database: { prepare: (text) => database.prepare(text), close() {} } }),
  });

  return {
    ...createUsageReads({ db, retention, ready }),
    async write(batch) {
      if (written.has(batch.id)) return;
      const aggregated = aggregateBatch(batch.events);
      await ready();
      // The setting is per connection: switch it around this one synchronous transaction
      // only, so that the Store's own writes keep theirs.
      const previous = pragma('synchronous').pluck().get() as number;
      if (previous !== level) pragma(`synchronous = ${level}`).run();
      try {
        transaction(aggregated);
      } finally {
        if (previous !== level) pragma(`synchronous = ${previous}`).run();
      }
      written.add(batch.id);
      if (written.size > REMEMBERED_BATCHES) written.delete(written.values().next().value as string);
    },
    async close() {
      await db.destroy();
    },
  };
}
