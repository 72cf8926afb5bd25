import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../context.js';
import type { ColumnTypes } from './migration-0001-initial.js';

/** `alter table keys add column`, skipped when the column exists (SQLite has no `if not exists` for it). */
async function addKeyColumn(db: Kysely<unknown>, dialect: Dialect, column: string, definition: string) {
  if (dialect === 'postgres') {
    await sql`alter table keys add column if not exists ${sql.ref(column)} ${sql.raw(definition)}`.execute(
      db,
    );
    return;
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info('keys')`.execute(db);
  if (rows.some((row) => row.name === column)) return;
  await sql`alter table keys add column ${sql.ref(column)} ${sql.raw(definition)}`.execute(db);
}

/**
 * Child keys (`POST /v1/keys/children`, see `engine/child-keys.ts`): on `keys`, the parent's
 * id, the depth below an ordinary key (0 for those) and the binding to the parent's secret
 * at mint (a roll of the parent breaks it); the per-API policy in its own table (an API
 * without a row has the defaults of `DEFAULT_CHILD_KEY_POLICY`; deleting the API deletes its row).
 */
export const childKeys = (t: ColumnTypes, dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    const id = dialect === 'postgres' ? 'text collate "C"' : 'text';
    await addKeyColumn(db, dialect, 'parent_key_id', id);
    await addKeyColumn(
      db,
      dialect,
      'depth',
      `${dialect === 'postgres' ? 'bigint' : 'integer'} not null default 0`,
    );
    await addKeyColumn(db, dialect, 'parent_binding', 'text');
    await db.schema
      .createIndex('keys_parent')
      .ifNotExists()
      .on('keys')
      .columns(['parent_key_id'])
      .where(sql.ref('parent_key_id'), 'is not', null)
      .execute();
    await db.schema
      .createTable('api_child_key_policies')
      .ifNotExists()
      .addColumn('api_id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('enabled', t.bool, (c) => c.notNull())
      .addColumn('max_expires_in_seconds', t.int8, (c) => c.notNull())
      .addColumn('max_depth', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
  },
});
