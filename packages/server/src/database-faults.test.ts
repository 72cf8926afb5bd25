import { createDependencyGuard, isKeywardError, newId, type Store } from '@keyward/core';
import {
  createPostgresHandle,
  createPostgresPool,
  createStore as createPostgresStore,
} from '@keyward/core/postgres';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { describeStoreConformance } from '@keyward/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { withGuardedRootKeyLookup } from './database-faults.js';

/**
 * The HTTP faces answer 503 for a database that is down because the database's adapter
 * throws `UNAVAILABLE` (see `http-errors.ts`); these check that on real handles, as
 * start-up wires them.
 */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function sqliteStore() {
  const database = openSqliteDatabase(':memory:');
  const sql = createSqliteHandle({ database });
  await migrateSqlite(sql);
  closers.push(() => sql.close());
  return { store: createStore(sql), database };
}

const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

describe('a store on a database that is down', () => {
  it('PostgreSQL refusing connections: UNAVAILABLE with the driver error as cause', async () => {
    // Nothing listens on port 1: the pool's connect is refused at once.
    const sql = createPostgresHandle({
      pool: createPostgresPool('postgres://postgres@127.0.0.1:1/none', { connectionTimeoutMillis: 2000 }),
    });
    closers.push(() => sql.close());
    const error = await rejection(createPostgresStore(sql).workspaces.get('ws_1'));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('PostgreSQL') });
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('SQLite connection closed under the store: UNAVAILABLE, not a raw TypeError', async () => {
    const { store, database } = await sqliteStore();
    database.close();
    await expect(store.workspaces.list()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('leaves a unique violation a CONFLICT naming the field, and a bug as it is', async () => {
    const { store } = await sqliteStore();
    const workspace = { id: newId('ws'), name: 'A', createdAt: 1 };
    await store.workspaces.create(workspace);
    const consumer = (id: string) => ({
      id,
      workspaceId: workspace.id,
      externalId: 'acme',
      name: null,
      meta: null,
      ratelimits: [],
      credits: null,
      createdAt: 1,
      updatedAt: 1,
    });
    await store.consumers.create(consumer('con_1'));
    const duplicate = await rejection(store.consumers.create(consumer('con_2')));
    expect(duplicate).toMatchObject({ code: 'CONFLICT', field: 'externalId' });
    // A broken reference is no outage: the driver's own error, untranslated.
    const bug = await rejection(
      store.apis.create({
        id: 'api_1',
        workspaceId: 'ws_none',
        name: 'x',
        prefix: 'x',
        createdAt: 1,
        updatedAt: 1,
      }),
    );
    expect(isKeywardError(bug)).toBe(false);
    expect(bug).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
  });
});

// The store as the app sees it: the guard changes the root-key lookup's timing, never the contract.
describeStoreConformance('sqlite behind the root-key guard', async () => {
  const sql = createSqliteHandle({ database: openSqliteDatabase(':memory:') });
  await migrateSqlite(sql);
  const guard = createDependencyGuard({ name: 'root key store', timeoutMs: 5_000 });
  return { store: withGuardedRootKeyLookup(createStore(sql), guard), cleanup: () => sql.close() };
});

describe('withGuardedRootKeyLookup', () => {
  it('puts the root-key lookup under the guard deadline and leaves the rest of the store alone', async () => {
    const { store } = await sqliteStore();
    const hung: Store = {
      ...store,
      rootKeys: { ...store.rootKeys, findByDigest: () => new Promise<never>(() => {}) },
    };
    const guard = createDependencyGuard({ name: 'root key store', timeoutMs: 50 });
    const guarded = withGuardedRootKeyLookup(hung, guard);
    await expect(guarded.rootKeys.findByDigest('d')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(guarded.workspaces.list()).resolves.toEqual([]);
  });
});
