import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../testing/services.js';
import { key as keyFixture, seedTenant } from '../../testing/store-conformance/fixtures.js';
import { createThrowawayDatabase } from '../../testing/throwaway-postgres.js';
import { keyToRow } from '../key-rows.js';
import {
  createPostgresHandle,
  createPostgresPool,
  createStore,
  migratePostgres,
  type PostgresHandle,
} from '../postgres.js';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../sqlite.js';
import { migrationsFor } from './migrations.js';

const TABLES = [
  'alerts',
  'api_child_key_policies',
  'api_lifetime_policies',
  'api_publishable_policies',
  'apis',
  'audit_chain_heads',
  'audit_events',
  'consumers',
  'credits',
  'dashboard_sessions',
  'idempotency',
  'job_runs',
  'key_credential_clients',
  'key_credential_usage',
  'key_digests',
  'key_usage',
  'keys',
  'leak_reports',
  'lifetime_notices',
  'monitoring_policies',
  'portal_branding',
  'portal_policies',
  'portal_sessions',
  'portal_tokens',
  'roles',
  'root_keys',
  'usage_batches',
  'usage_day',
  'usage_events',
  'usage_hour',
  'usage_minute',
  'webhook_deliveries',
  'webhook_endpoints',
  'webhook_messages',
  'workspaces',
];

/** Every migration, in the order they apply. */
const APPLIED = [
  '0001_initial',
  '0002_usage',
  '0003_audit_chain',
  '0004_monitoring',
  '0005_webhooks',
  '0006_workspace_digests',
  '0007_sessions',
  '0007b_key_search',
  '0008_leak_reports',
  '0009_lifetime_policies',
  '0010_dry_run',
  '0011_child_keys',
  '0012_rotation_telemetry',
  '0013_publishable_keys',
].map((name) => ({ name }));

describe('sqlite migrations', () => {
  it('run twice without error and keep the data', async () => {
    const sql = createSqliteHandle({ database: openSqliteDatabase(':memory:') });
    await migrateSqlite(sql);
    const store = createStore(sql);
    const { ws } = await seedTenant(store);
    await migrateSqlite(sql);
    await expect(store.workspaces.get(ws.id)).resolves.toEqual(ws);
    const tables = await sql.exclusive((database) =>
      database
        .prepare(
          "select name from sqlite_master where type = 'table' and name not like 'keyward_migration%' and name not like 'sqlite_%' order by name",
        )
        .all(),
    );
    expect(tables).toEqual(TABLES.map((name) => ({ name })));
    const applied = await sql.exclusive((database) =>
      database.prepare('select name from keyward_migration').all(),
    );
    expect(applied).toEqual(APPLIED);
    await store.close();
  });

  it('0013 keeps every existing key a secret key, and runs again on a migrated database', async () => {
    const sql = createSqliteHandle({ database: openSqliteDatabase(':memory:') });
    await migrateSqlite(sql);
    const store = createStore(sql);
    const { ws, api } = await seedTenant(store);
    const record = keyFixture(ws.id, api.id);
    // A row written before 0013 names no kind.
    const { kind: _kind, ...row } = keyToRow(record, (value) => (value ? 1 : 0));
    await sql.db
      .insertInto('keys' as never)
      .values(row as never)
      .execute();
    // As a crash between the DDL and the bookkeeping would leave it: the column exists already.
    await migrationsFor('sqlite')['0013_publishable_keys']?.up(sql.db);
    await expect(store.keys.get(ws.id, record.id)).resolves.toMatchObject({ kind: 'secret' });
    await store.close();
  });

  it('succeed from several handles on one file at once (as several processes would)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-migrate-'));
    const path = join(dir, 'keyward.db');
    const handles = [1, 2, 3].map(() => createSqliteHandle({ database: openSqliteDatabase(path) }));
    try {
      await Promise.all(handles.map((handle) => migrateSqlite(handle)));
      const [first] = handles;
      await expect(
        first?.exclusive((database) => database.prepare('select name from keyward_migration').all()),
      ).resolves.toEqual(APPLIED);
    } finally {
      for (const handle of handles) await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const available = await serviceAvailable('postgres');

describe.runIf(available)('postgres migrations', () => {
  it('run twice, and from several nodes at once, without error', async () => {
    const database = await createThrowawayDatabase();
    const handles = [1, 2, 3].map(() => createPostgresHandle({ pool: createPostgresPool(database.url) }));
    try {
      await Promise.all(handles.map((handle) => migratePostgres(handle)));
      await migratePostgres(handles[0] as PostgresHandle);
      const check = (handles[0] as PostgresHandle).pool;
      const { rows: tables } = await check.query<{ name: string }>(
        "select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'keyward_migration%' order by table_name",
      );
      expect(tables).toEqual(TABLES.map((name) => ({ name })));
      const { rows: applied } = await check.query('select name from keyward_migration');
      expect(applied).toEqual(APPLIED);
      const store = createStore(handles[0] as PostgresHandle);
      await expect(seedTenant(store)).resolves.toBeDefined();
    } finally {
      await Promise.all(handles.map((handle) => handle.close()));
      await database.drop();
    }
  });
});
