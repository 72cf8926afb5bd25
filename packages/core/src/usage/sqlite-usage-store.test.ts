import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { uniqueName } from '../testing/services.js';
import { batchOf, T0, usageEvent } from '../testing/usage-fixtures.js';
import { describeUsageStoreConformance } from '../testing/usage-store.conformance.js';
import { createSqliteUsageStore } from './sqlite-usage-store.js';
import { createUsageStore } from './usage-store-factory.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(path: string) {
  const sql = createSqliteHandle({ database: openSqliteDatabase(path) });
  await migrateSqlite(sql);
  const usage = createUsageStore({ sql });
  return {
    sql,
    usage,
    select: <T>(text: string) => sql.exclusive((database) => database.prepare(text).all() as T[]),
    exec: (text: string) => sql.exclusive((database) => void database.exec(text)),
    cleanup: async () => {
      await usage.close();
      await sql.close();
    },
  };
}

describeUsageStoreConformance('sqlite file', () => open(join(dir, `${uniqueName('usage')}.db`)));
describeUsageStoreConformance('sqlite :memory:', () => open(':memory:'));

describe('sqlite usage store', () => {
  it('shares the Store handle without joining its transactions, and never closes it', async () => {
    const sql = createSqliteHandle({ database: openSqliteDatabase(join(dir, `${uniqueName('shared')}.db`)) });
    await migrateSqlite(sql);
    const store = createStore(sql);
    const usage = createSqliteUsageStore({ sql });
    let write: Promise<void> | null = null;
    const rolledBack = store.transaction(async (tx) => {
      await tx.workspaces.create({ id: 'ws_gone', name: 'rolled back', createdAt: T0 });
      // Queued on the connection behind this transaction: its rollback must not take the batch along.
      write = usage.write(batchOf([usageEvent()]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('roll back');
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    await write;
    const [sum, synchronous] = await sql.exclusive((database) => [
      database.prepare('select sum("count") as n from usage_events').get() as { n: number },
      database.pragma('synchronous', { simple: true }),
    ]);
    expect(sum.n).toBe(1);
    // Batches commit with synchronous=NORMAL; the Store's writes keep FULL.
    expect(synchronous).toBe(2);
    await usage.close();
    await expect(store.workspaces.list()).resolves.toEqual([]);
    await store.close();
  });

  it('keeps analytics off the raw events table (rollups answer queries)', async () => {
    const { exec, usage, cleanup } = await open(':memory:');
    await usage.write(batchOf([usageEvent()]));
    await exec('delete from usage_events');
    await expect(
      usage.query({ workspaceId: 'ws_a', from: T0, to: T0 + 1, granularity: 'hour' }),
    ).resolves.toMatchObject({ series: [{ count: 1 }] });
    await cleanup();
  });
});
