import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, newId, type Store } from '@keyward/core';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import {
  createSqliteUsageStore,
  createUsageRecorder,
  type UsageEventStore,
  type UsageRecorder,
} from '@keyward/core/usage';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { createMetrics, instrumentEngine, type KeywardMetrics, registerMetrics } from '../metrics.js';
import { issueRootKey } from '../root-keys.js';
import { usageRoutes } from '../routes/usage.js';
import { createTestClock, type TestClock, type TestWorkspace } from './admin-app.js';

export interface UsageTestApp {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  /** The recorder the engine hands its events to; it never flushes on its own (call `flush`). */
  usage: UsageRecorder;
  usageStore: UsageEventStore;
  metrics: KeywardMetrics;
  clock: TestClock;
  a: TestWorkspace;
  b: TestWorkspace;
  rootKey(permissions: string[], workspace?: TestWorkspace): Promise<string>;
  close(): Promise<void>;
}

/**
 * The app wired as `startServer` wires it (recorder, instrumented engine, usage routes,
 * `/metrics`) on a SQLite file, with two workspaces holding `*` root keys.
 */
export async function createUsageTestApp(): Promise<UsageTestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-usage-app-'));
  const database = openSqliteDatabase(join(dir, 'keyward.db'));
  await migrateSqlite(database);
  const store = createSqliteStore({ database });
  const usageStore = createSqliteUsageStore({ database });
  const clock = createTestClock();
  const metrics = createMetrics({ processMetrics: false });
  const usage = createUsageRecorder({ sink: usageStore, flushIntervalMs: 3_600_000, pruneIntervalMs: 0 });
  const engine = instrumentEngine(createEngine({ store, usage, now: clock.now }), metrics);
  metrics.watch({ usage, engine });
  const app = await buildApp({ store, engine, now: clock.now, docs: false });
  await app.register(usageRoutes({ usage: usageStore, store, now: clock.now }));
  registerMetrics(app, { metrics });

  const workspace = async (name: string): Promise<TestWorkspace> => {
    const id = newId('ws');
    await store.workspaces.create({ id, name, createdAt: clock.now() });
    const issued = await issueRootKey(
      { store, engine, now: clock.now },
      { workspaceId: id, permissions: ['*'] },
    );
    return { id, rootKey: issued.plaintext, rootKeyId: issued.rootKey.id };
  };
  const a = await workspace('A');
  const b = await workspace('B');
  return {
    app,
    store,
    engine,
    usage,
    usageStore,
    metrics,
    clock,
    a,
    b,
    async rootKey(permissions, ws = a) {
      return (await issueRootKey({ store, engine, now: clock.now }, { workspaceId: ws.id, permissions }))
        .plaintext;
    },
    async close() {
      await app.close();
      await engine.close();
      await usage.close();
      await usageStore.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
