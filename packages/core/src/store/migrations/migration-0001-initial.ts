import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../context.js';

/** Column types per dialect: the only place where the two schemas differ. */
export interface ColumnTypes {
  /** Ids and digests: bytewise order. */
  id: ReturnType<typeof sql> | 'text';
  int8: 'bigint' | 'integer';
  bool: 'boolean' | 'integer';
  /** The literal `true` of `bool` columns, for partial indexes. */
  trueLiteral: ReturnType<typeof sql.lit>;
}

export const typesFor = (dialect: Dialect): ColumnTypes =>
  dialect === 'postgres'
    ? { id: sql`text collate "C"`, int8: 'bigint', bool: 'boolean', trueLiteral: sql.lit(true) }
    : { id: 'text', int8: 'integer', bool: 'integer', trueLiteral: sql.lit(1) };

/** The first schema: every table and index (see schema.ts). Never edit a shipped migration: add the next one. */
export const initial = (t: ColumnTypes): Migration => ({
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('workspaces')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .execute();

    await s
      .createTable('apis')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await s
      .createIndex('apis_workspace_id')
      .ifNotExists()
      .on('apis')
      .columns(['workspace_id', 'id'])
      .execute();

    await s
      .createTable('consumers')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('meta', 'text')
      .addColumn('ratelimits', 'text', (c) => c.notNull())
      .addColumn('credits', 'text')
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await s
      .createIndex('consumers_external_id')
      .ifNotExists()
      .unique()
      .on('consumers')
      .columns(['workspace_id', 'external_id'])
      .execute();
    await s
      .createIndex('consumers_workspace_id')
      .ifNotExists()
      .on('consumers')
      .columns(['workspace_id', 'id'])
      .execute();

    await s
      .createTable('roles')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await s
      .createIndex('roles_name')
      .ifNotExists()
      .unique()
      .on('roles')
      .columns(['workspace_id', 'name'])
      .execute();
    await s
      .createIndex('roles_workspace_id')
      .ifNotExists()
      .on('roles')
      .columns(['workspace_id', 'id'])
      .execute();

    await s
      .createTable('keys')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('api_id', t.id, (c) => c.notNull().references('apis.id').onDelete('cascade'))
      .addColumn('consumer_id', t.id, (c) => c.references('consumers.id').onDelete('set null'))
      .addColumn('digest', t.id, (c) => c.notNull())
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('meta', 'text')
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('ratelimits', 'text', (c) => c.notNull())
      .addColumn('credits', 'text')
      .addColumn('allowed_ips', 'text', (c) => c.notNull())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('enabled', t.bool, (c) => c.notNull())
      .addColumn('disabled_reason', 'text')
      .addColumn('expires_at', t.int8)
      .addColumn('revoked_at', t.int8)
      .addColumn('imported', t.bool, (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await s.createIndex('keys_digest').ifNotExists().unique().on('keys').column('digest').execute();
    await s
      .createIndex('keys_workspace_id')
      .ifNotExists()
      .on('keys')
      .columns(['workspace_id', 'id'])
      .execute();
    await s.createIndex('keys_api_id').ifNotExists().on('keys').columns(['api_id', 'id']).execute();
    await s.createIndex('keys_consumer_id').ifNotExists().on('keys').columns(['consumer_id', 'id']).execute();
    // Partial: `hasImported` is an index probe, not a scan, while no key is imported.
    await s
      .createIndex('keys_imported')
      .ifNotExists()
      .on('keys')
      .column('id')
      .where(sql.ref('imported'), '=', t.trueLiteral)
      .execute();

    await s
      .createTable('key_digests')
      .ifNotExists()
      .addColumn('digest', t.id, (c) => c.primaryKey())
      .addColumn('key_id', t.id, (c) => c.notNull().references('keys.id').onDelete('cascade'))
      .addColumn('grace_until', t.int8, (c) => c.notNull())
      .execute();
    await s.createIndex('key_digests_key_id').ifNotExists().on('key_digests').column('key_id').execute();

    await s
      .createTable('root_keys')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('digest', t.id, (c) => c.notNull())
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('revoked_at', t.int8)
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await s.createIndex('root_keys_digest').ifNotExists().unique().on('root_keys').column('digest').execute();
    await s
      .createIndex('root_keys_workspace_id')
      .ifNotExists()
      .on('root_keys')
      .columns(['workspace_id', 'id'])
      .execute();

    // Append-only history: no foreign key, so that it outlives what it describes.
    await s
      .createTable('audit_events')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('before_data', 'text')
      .addColumn('after_data', 'text')
      .addColumn('ip', 'text')
      .addColumn('request_id', 'text')
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .execute();
    await s
      .createIndex('audit_events_created_at')
      .ifNotExists()
      .on('audit_events')
      .columns(['workspace_id', 'created_at'])
      .execute();
    await s
      .createIndex('audit_events_workspace_id')
      .ifNotExists()
      .on('audit_events')
      .columns(['workspace_id', 'id'])
      .execute();

    await s
      .createTable('idempotency')
      .ifNotExists()
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('idempotency_key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_pkey', ['workspace_id', 'idempotency_key'])
      .execute();
    await s
      .createIndex('idempotency_created_at')
      .ifNotExists()
      .on('idempotency')
      .column('created_at')
      .execute();

    await s
      .createTable('credits')
      .ifNotExists()
      .addColumn('owner_kind', 'text', (c) => c.notNull())
      .addColumn('owner_id', t.id, (c) => c.notNull())
      .addColumn('remaining', t.int8, (c) => c.notNull().check(sql`remaining >= 0`))
      .addColumn('last_refill_at', t.int8, (c) => c.notNull())
      .addColumn('config', 'text')
      .addPrimaryKeyConstraint('credits_pkey', ['owner_kind', 'owner_id'])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of [
      'credits',
      'idempotency',
      'audit_events',
      'root_keys',
      'key_digests',
      'keys',
      'roles',
      'consumers',
      'apis',
      'workspaces',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
});
