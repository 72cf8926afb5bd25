import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './migration-0001-initial.js';

/**
 * Publishable keys (docs/publishable-keys.md): `keys.kind` (`secret` by default, so every
 * existing key stays a secret key), and each API's publishable policy (public permissions,
 * allowed browser origins) in its own table keyed by the API. The column is added only when
 * missing: `ALTER TABLE ... ADD COLUMN` has no `IF NOT EXISTS` on SQLite.
 */
export const publishableKeys = (t: ColumnTypes): Migration => ({
  async up(db: Kysely<unknown>) {
    const tables = await db.introspection.getTables();
    const keys = tables.find((table) => table.name === 'keys');
    if (keys !== undefined && !keys.columns.some((column) => column.name === 'kind')) {
      await db.schema
        .alterTable('keys')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('secret'))
        .execute();
    }
    await db.schema
      .createTable('api_publishable_policies')
      .ifNotExists()
      .addColumn('api_id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('public_permissions', 'text', (c) => c.notNull())
      .addColumn('allowed_origins', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
  },
});
