import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../context.js';
import type { ColumnTypes } from './migration-0001-initial.js';

/** `keys.rolled_at`, skipped when the column exists (SQLite has no `if not exists` for it). */
async function addRolledAt(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table keys add column if not exists rolled_at bigint`.execute(db);
    return;
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info('keys')`.execute(db);
  if (rows.some((row) => row.name === 'rolled_at')) return;
  await sql`alter table keys add column rolled_at integer`.execute(db);
}

/**
 * Key lifetime policies (`decisions/lifetime.ts`): one policy row per API, the reminders
 * already sent (one per key, kind and deadline, so that no node sends one twice), and
 * `keys.rolled_at`, when the current secret was issued by a roll (null: at creation, so
 * existing keys need no backfill).
 */
export const lifetimePolicies = (t: ColumnTypes, dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('api_lifetime_policies')
      .ifNotExists()
      .addColumn('api_id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('max_ttl_days', 'integer')
      .addColumn('rotate_after_days', 'integer')
      .addColumn('rotation_grace_days', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('idle_disable_after_days', 'integer')
      .addColumn('remind_before_days', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('mode', 'text', (c) => c.notNull().defaultTo('enforce'))
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('lifetime_notices')
      .ifNotExists()
      .addColumn('key_id', t.id, (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('deadline', t.int8, (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('lifetime_notices_pk', ['key_id', 'kind', 'deadline'])
      .execute();
    await addRolledAt(db, dialect);
  },
});
