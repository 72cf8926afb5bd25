import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../testing/services.js';
import { seedTenant } from '../../testing/store-conformance/fixtures.js';
import { createThrowawayDatabase } from '../../testing/throwaway-postgres.js';
import { createPostgresPool, createPostgresStore, migratePostgres } from '../postgres.js';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '../sqlite.js';

const TABLES = [
  'alerts',
  'apis',
  'audit_chain_heads',
  'audit_events',
  'consumers',
  'credits',
  'dashboard_sessions',
  'idempotency',
  'job_runs',
  'key_digests',
  'key_usage',
  'keys',
  'leak_reports',
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
].map((name) => ({ name }));

describe('sqlite migrations', () => {
  it('run twice without error and keep the data', async () => {
    const database = openSqliteDatabase(':memory:');
    await migrateSqlite(database);
    const store = createSqliteStore({ database });
    const { ws } = await seedTenant(store);
    await migrateSqlite(database);
    await expect(store.workspaces.get(ws.id)).resolves.toEqual(ws);
    const tables = database
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'keyward_migration%' and name not like 'sqlite_%' order by name",
      )
      .all();
    expect(tables).toEqual(TABLES.map((name) => ({ name })));
    const applied = database.prepare('select name from keyward_migration').all();
    expect(applied).toEqual(APPLIED);
    await store.close();
  });

  it('succeed from several handles on one file at once (as several processes would)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-migrate-'));
    const path = join(dir, 'keyward.db');
    const handles = [openSqliteDatabase(path), openSqliteDatabase(path), openSqliteDatabase(path)];
    try {
      await Promise.all(handles.map((handle) => migrateSqlite(handle)));
      const [first] = handles;
      expect(first?.prepare('select name from keyward_migration').all()).toEqual(APPLIED);
    } finally {
      for (const handle of handles) handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const available = await serviceAvailable('postgres');

describe.runIf(available)('postgres migrations', () => {
  it('run twice, and from several nodes at once, without error', async () => {
    const database = await createThrowawayDatabase();
    const pools = [
      createPostgresPool(database.url),
      createPostgresPool(database.url),
      createPostgresPool(database.url),
    ];
    try {
      await Promise.all(pools.map((pool) => migratePostgres(pool)));
      await migratePostgres(pools[0] as pg.Pool);
      const check = pools[0] as pg.Pool;
      const { rows: tables } = await check.query<{ name: string }>(
        "select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'keyward_migration%' order by table_name",
      );
      expect(tables).toEqual(TABLES.map((name) => ({ name })));
      const { rows: applied } = await check.query('select name from keyward_migration');
      expect(applied).toEqual(APPLIED);
      const store = createPostgresStore({ pool: check });
      await expect(seedTenant(store)).resolves.toBeDefined();
      await store.close();
    } finally {
      await Promise.all(pools.slice(1).map((pool) => pool.end()));
      await database.drop();
    }
  });
});
