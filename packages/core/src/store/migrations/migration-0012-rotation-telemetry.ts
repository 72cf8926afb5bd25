import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './migration-0001-initial.js';

/**
 * Rotation telemetry (docs/key-lifecycle.md):
 * - `key_digests.rolled_at`: when the digest was rolled away (0 for rolls made before this
 *   migration); a roll is named by its key and this time, never by its digest;
 * - `key_credential_usage`: per key, roll and credential (`current` or `previous`), the
 *   verifications and their first and last time;
 * - `key_credential_clients`: per key, roll and credential, a bounded set of the client
 *   addresses (`ip`) and user agents (`ua`) that presented it, each with its count and last use.
 * No foreign keys to `keys`, like the other usage tables (the usage writer owns them).
 */
export const rotationTelemetry = (t: ColumnTypes): Migration => ({
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    // SQLite has no `add column if not exists`: ask first, so that a re-run succeeds.
    const tables = await db.introspection.getTables();
    const digests = tables.find((table) => table.name === 'key_digests');
    if (digests !== undefined && !digests.columns.some((column) => column.name === 'rolled_at')) {
      await s
        .alterTable('key_digests')
        .addColumn('rolled_at', t.int8, (c) => c.notNull().defaultTo(0))
        .execute();
    }
    await s
      .createTable('key_credential_usage')
      .ifNotExists()
      .addColumn('key_id', t.id, (c) => c.notNull())
      .addColumn('rolled_at', t.int8, (c) => c.notNull())
      .addColumn('credential', 'text', (c) => c.notNull())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('requests', t.int8, (c) => c.notNull())
      .addColumn('valid', t.int8, (c) => c.notNull())
      .addColumn('first_seen', t.int8, (c) => c.notNull())
      .addColumn('last_seen', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('key_credential_usage_pk', ['key_id', 'rolled_at', 'credential'])
      .execute();
    await s
      .createTable('key_credential_clients')
      .ifNotExists()
      .addColumn('key_id', t.id, (c) => c.notNull())
      .addColumn('rolled_at', t.int8, (c) => c.notNull())
      .addColumn('credential', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('requests', t.int8, (c) => c.notNull())
      .addColumn('last_seen', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('key_credential_clients_pk', [
        'key_id',
        'rolled_at',
        'credential',
        'kind',
        'value',
      ])
      .execute();
  },
});
