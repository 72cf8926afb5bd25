import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './migration-0001-initial.js';

/**
 * Indexes of the dashboard's keys page (`KeyListQuery`: search, state, newest first),
 * chosen from the query plans at 100,000 keys (`bench/keys-page.ts`, docs/dashboard.md):
 * - `keys_list`: every column a filter reads, after `(workspace_id, id)`, so that a search
 *   (a substring match, which no b-tree can seek) scans this narrow index in page order
 *   instead of the table, and fetches only the rows of the page;
 * - partial indexes of the rare states (revoked, disabled, with an expiry), so that those
 *   filters read only the keys in that state instead of skipping past all the others.
 */
export const keySearch = (t: ColumnTypes): Migration => ({
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    const falseLiteral = t.bool === 'boolean' ? sql.lit(false) : sql.lit(0);
    await s
      .createIndex('keys_list')
      .ifNotExists()
      .on('keys')
      .columns([
        'workspace_id',
        'id',
        'api_id',
        'consumer_id',
        'enabled',
        'expires_at',
        'revoked_at',
        'name',
        'hint',
      ])
      .execute();
    await s
      .createIndex('keys_revoked')
      .ifNotExists()
      .on('keys')
      .columns(['workspace_id', 'id'])
      .where(sql.ref('revoked_at'), 'is not', null)
      .execute();
    await s
      .createIndex('keys_disabled')
      .ifNotExists()
      .on('keys')
      .columns(['workspace_id', 'id'])
      .where(sql.ref('enabled'), '=', falseLiteral)
      .execute();
    await s
      .createIndex('keys_expiring')
      .ifNotExists()
      .on('keys')
      .columns(['workspace_id', 'id'])
      .where(sql.ref('expires_at'), 'is not', null)
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const index of ['keys_expiring', 'keys_disabled', 'keys_revoked', 'keys_list']) {
      await db.schema.dropIndex(index).ifExists().execute();
    }
  },
});
