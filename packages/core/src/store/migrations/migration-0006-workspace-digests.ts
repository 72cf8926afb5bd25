import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../context.js';
import type { ColumnTypes } from './migration-0001-initial.js';

/**
 * Digests unique per workspace, not across workspaces (issue 10): a digest taken in another
 * workspace must not make an import (or anything else) answer differently, or any workspace
 * could test whether a string is a key anywhere. `keys(workspace_id, digest)` becomes the
 * unique index and `keys(digest)` a plain one (verification still looks up by digest alone,
 * and picks among the rows); previous digests are keyed by (digest, key_id).
 *
 * SQLite cannot change a primary key in place, so `key_digests` is rebuilt (in one
 * transaction: SQLite's DDL is transactional, PostgreSQL runs every migration in one).
 */
export const workspaceDigests = (t: ColumnTypes, dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    const work = async (trx: Kysely<unknown>) => {
      const s = trx.schema;
      await s.dropIndex('keys_digest').ifExists().execute();
      await s
        .createIndex('keys_workspace_digest')
        .ifNotExists()
        .unique()
        .on('keys')
        .columns(['workspace_id', 'digest'])
        .execute();
      await s.createIndex('keys_by_digest').ifNotExists().on('keys').column('digest').execute();

      await s
        .createTable('key_digests_v2')
        .ifNotExists()
        .addColumn('digest', t.id, (c) => c.notNull())
        .addColumn('key_id', t.id, (c) => c.notNull().references('keys.id').onDelete('cascade'))
        .addColumn('grace_until', t.int8, (c) => c.notNull())
        .addPrimaryKeyConstraint('key_digests_v2_pk', ['digest', 'key_id'])
        .execute();
      await sql`insert into key_digests_v2 (digest, key_id, grace_until) select digest, key_id, grace_until from key_digests`.execute(
        trx,
      );
      await s.dropTable('key_digests').execute();
      await s.alterTable('key_digests_v2').renameTo('key_digests').execute();
      await s.createIndex('key_digests_key_id').ifNotExists().on('key_digests').column('key_id').execute();
    };
    if (dialect === 'sqlite') await db.transaction().execute(work);
    else await work(db);
  },
});
