import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../testing/services.js';
import { describeStoreConformance } from '../testing/store.conformance.js';
import { key, seedTenant } from '../testing/store-conformance/fixtures.js';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A migrated store on a new file in a directory that does not exist yet. */
async function fileStore() {
  const path = join(dir, uniqueName('node'), 'keyward.db');
  const database = openSqliteDatabase(path);
  const sql = createSqliteHandle({ database });
  await migrateSqlite(sql);
  return { database, sql, path, store: createStore(sql) };
}

describeStoreConformance('sqlite file', async () => {
  const { store } = await fileStore();
  return { store, cleanup: () => store.close() };
});

describeStoreConformance('sqlite :memory:', async () => {
  const sql = createSqliteHandle({ database: openSqliteDatabase(':memory:') });
  await migrateSqlite(sql);
  const store = createStore(sql);
  return { store, cleanup: () => store.close() };
});

describe('sqlite adapter', () => {
  it('sets the durability pragmas on the handle', async () => {
    const { database, store } = await fileStore();
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
    await store.close();
  });

  it('stores booleans as 0/1 and times as integers', async () => {
    const { sql, store } = await fileStore();
    const { ws, api } = await seedTenant(store);
    const k = key(ws.id, api.id, { enabled: false, imported: true });
    await store.keys.create(k);
    const [row, type] = await sql.exclusive((database) => [
      database.prepare('select enabled, imported, created_at from keys where id = ?').get(k.id),
      database.prepare('select typeof(created_at) t from keys').get(),
    ]);
    expect(row).toEqual({ enabled: 0, imported: 1, created_at: k.createdAt });
    expect(type).toEqual({ t: 'integer' });
    await store.close();
  });

  it('closes the handle with the store, once, and leaves it open after migrating', async () => {
    const { database, store } = await fileStore();
    expect(database.open).toBe(true);
    await store.close();
    await store.close();
    expect(database.open).toBe(false);
  });

  it('sees writes of another handle on the same file (as a second process would)', async () => {
    const { path, store } = await fileStore();
    const other = createStore(createSqliteHandle({ database: openSqliteDatabase(path) }));
    const { ws } = await seedTenant(store);
    await expect(other.workspaces.get(ws.id)).resolves.toEqual(ws);
    await Promise.all([store.close(), other.close()]);
  });
});
