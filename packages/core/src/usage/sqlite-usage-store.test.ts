import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { uniqueName } from '../testing/services.js';
import { batchOf, T0, usageEvent } from '../testing/usage-fixtures.js';
import { describeUsageStoreConformance } from '../testing/usage-store.conformance.js';
import { createSqliteUsageStore } from './sqlite-usage-store.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(path: string) {
  const database = openSqliteDatabase(path);
  await migrateSqlite(database);
  const usage = createSqliteUsageStore({ database });
  return {
    database,
    usage,
    select: async <T>(text: string) => database.prepare(text).all() as T[],
    exec: async (text: string) => {
      database.exec(text);
    },
    cleanup: async () => {
      await usage.close();
      database.close();
    },
  };
}

describeUsageStoreConformance('sqlite file', () => open(join(dir, `${uniqueName('usage')}.db`)));
describeUsageStoreConformance('sqlite :memory:', () => open(':memory:'));

describe('sqlite usage store', () => {
  it('shares the Store handle without joining its transactions, and never closes it', async () => {
    const database = openSqliteDatabase(join(dir, `${uniqueName('shared')}.db`));
    await migrateSqlite(database);
    const store = createSqliteStore({ database });
    const usage = createSqliteUsageStore({ database });
    database.exec('begin');
    const write = usage.write(batchOf([usageEvent()]));
    // The batch waits for the open transaction: a rollback of it must not take the batch along.
    await new Promise((resolve) => setTimeout(resolve, 20));
    database.exec('rollback');
    await write;
    const rows = database.prepare('select sum("count") as n from usage_events').get() as { n: number };
    expect(rows.n).toBe(1);
    // Batches commit with synchronous=NORMAL; the Store's writes keep FULL.
    expect(database.pragma('synchronous', { simple: true })).toBe(2);
    await usage.close();
    expect(database.open).toBe(true);
    await expect(store.workspaces.list()).resolves.toEqual([]);
    await store.close();
  });

  it('keeps analytics off the raw events table (rollups answer queries)', async () => {
    const { database, usage, cleanup } = await open(':memory:');
    await usage.write(batchOf([usageEvent()]));
    database.exec('delete from usage_events');
    await expect(
      usage.query({ workspaceId: 'ws_a', from: T0, to: T0 + 1, granularity: 'hour' }),
    ).resolves.toMatchObject({ series: [{ count: 1 }] });
    await cleanup();
  });
});
