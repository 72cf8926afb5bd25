import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../context.js';
import type { ColumnTypes } from './migration-0001-initial.js';

const ROLLUP_TABLES = ['usage_minute', 'usage_hour', 'usage_day'] as const;

/**
 * SQLite: tables looked up by primary key only are stored as that key's b-tree (one page
 * written per upsert instead of two: a batch commit touches fewer pages).
 */
const clusteredOn =
  (dialect: Dialect) =>
  <T extends string, C extends string>(builder: CreateTableBuilder<T, C>): CreateTableBuilder<T, C> =>
    dialect === 'sqlite' ? builder.modifyEnd(sql`without rowid`) : builder;

/**
 * Usage analytics (see `usage/usage-schema.ts`): raw events, minute/hour/day rollups,
 * per-key totals and the ids of written batches. No foreign keys: usage outlives the
 * keys it describes, and events of unknown keys have none.
 */
export const usage = (t: ColumnTypes, dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('usage_events')
      .ifNotExists()
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        // AUTOINCREMENT on SQLite: ids never come back after the newest rows are deleted.
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('time', t.int8, (c) => c.notNull())
      .addColumn('workspace_id', t.id)
      .addColumn('api_id', t.id)
      .addColumn('key_id', t.id)
      .addColumn('consumer_id', t.id)
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('cost', t.int8, (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('count', t.int8, (c) => c.notNull())
      .execute();
    // Few indexes: every one is written per event. Time serves pruning; workspace and key
    // serve the detectors' recent windows. Analytics read the rollups.
    await s.createIndex('usage_events_time').ifNotExists().on('usage_events').column('time').execute();
    await s
      .createIndex('usage_events_workspace_time')
      .ifNotExists()
      .on('usage_events')
      .columns(['workspace_id', 'time'])
      .execute();
    await s
      .createIndex('usage_events_key_time')
      .ifNotExists()
      .on('usage_events')
      .columns(['key_id', 'time'])
      .execute();

    for (const table of ROLLUP_TABLES) {
      await s
        .createTable(table)
        .ifNotExists()
        .addColumn('bucket', t.int8, (c) => c.notNull())
        .addColumn('workspace_id', t.id, (c) => c.notNull())
        .addColumn('api_id', t.id, (c) => c.notNull())
        .addColumn('key_id', t.id, (c) => c.notNull())
        .addColumn('consumer_id', t.id, (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('count', t.int8, (c) => c.notNull())
        .addColumn('cost', t.int8, (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pkey`, [
          'workspace_id',
          'bucket',
          'api_id',
          'key_id',
          'consumer_id',
          'outcome',
        ])
        .$call(clusteredOn(dialect))
        .execute();
      await s.createIndex(`${table}_bucket`).ifNotExists().on(table).column('bucket').execute();
    }

    await s
      .createTable('key_usage')
      .ifNotExists()
      .addColumn('key_id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('last_used_at', t.int8, (c) => c.notNull())
      .addColumn('last_valid_at', t.int8)
      .addColumn('requests', t.int8, (c) => c.notNull())
      .addColumn('valid', t.int8, (c) => c.notNull())
      .$call(clusteredOn(dialect))
      .execute();

    // PostgreSQL only: SQLite commits locally (a batch is never applied without its writer knowing).
    await s
      .createTable('usage_batches')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .execute();
    await s
      .createIndex('usage_batches_created_at')
      .ifNotExists()
      .on('usage_batches')
      .column('created_at')
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['usage_batches', 'key_usage', ...ROLLUP_TABLES, 'usage_events']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
});
