import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './migration-0001-initial.js';

/**
 * Sessions of the dashboard and the customer portal (see `sessions/session-schema.ts`):
 * dashboard sessions (a root key exchanged for a cookie), single-use portal tokens, portal
 * sessions, and the portal's settings (a policy per API, branding per workspace). Tokens
 * are kept as SHA-256 digests only. No foreign keys: the server checks the root key or
 * consumer behind a session on every request, and a deleted one simply ends it.
 */
export const sessions = (t: ColumnTypes): Migration => ({
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('dashboard_sessions')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('digest', t.id, (c) => c.notNull().unique())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('root_key_id', t.id, (c) => c.notNull())
      .addColumn('root_key_digest', t.id, (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('last_seen_at', t.int8, (c) => c.notNull())
      .addColumn('expires_at', t.int8, (c) => c.notNull())
      .addColumn('ended_at', t.int8)
      .addColumn('end_reason', 'text')
      .execute();
    await s
      .createIndex('dashboard_sessions_expires_at')
      .ifNotExists()
      .on('dashboard_sessions')
      .column('expires_at')
      .execute();

    await s
      .createTable('portal_tokens')
      .ifNotExists()
      .addColumn('digest', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('consumer_id', t.id, (c) => c.notNull())
      .addColumn('return_url', 'text')
      .addColumn('session_ttl_ms', t.int8, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('expires_at', t.int8, (c) => c.notNull())
      .addColumn('used_at', t.int8)
      .execute();
    await s
      .createIndex('portal_tokens_expires_at')
      .ifNotExists()
      .on('portal_tokens')
      .column('expires_at')
      .execute();

    await s
      .createTable('portal_sessions')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('digest', t.id, (c) => c.notNull().unique())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('consumer_id', t.id, (c) => c.notNull())
      .addColumn('return_url', 'text')
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('expires_at', t.int8, (c) => c.notNull())
      .addColumn('ended_at', t.int8)
      .execute();
    await s
      .createIndex('portal_sessions_expires_at')
      .ifNotExists()
      .on('portal_sessions')
      .column('expires_at')
      .execute();

    await s
      .createTable('portal_policies')
      .ifNotExists()
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('api_id', t.id, (c) => c.notNull())
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('portal_policies_pk', ['workspace_id', 'api_id'])
      .execute();

    await s
      .createTable('portal_branding')
      .ifNotExists()
      .addColumn('workspace_id', t.id, (c) => c.primaryKey())
      .addColumn('branding', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of [
      'portal_branding',
      'portal_policies',
      'portal_sessions',
      'portal_tokens',
      'dashboard_sessions',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
});
