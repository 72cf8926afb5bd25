import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, newId, type Store } from '@keyward/core';
import { createMonitoringStores, type MonitoringStores } from '@keyward/core/monitoring';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { createSqliteUsageStore, createUsageRecorder, type UsageRecorder } from '@keyward/core/usage';
import {
  createHttpDeliver,
  createWebhookDispatcher,
  createWebhookStore,
  type WebhookDispatcher,
  type WebhookStore,
} from '@keyward/core/webhooks';
import type BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import type { AppOptions } from '../app-options.js';
import { createMonitor, type Monitor } from '../monitoring/monitor.js';
import { issueRootKey } from '../root-keys.js';
import { createTestClock, type TestClock, type TestWorkspace } from './admin-app.js';

export interface OpsTestApp {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  /** The engine's usage recorder; it writes only when flushed. */
  usage: UsageRecorder;
  monitoring: MonitoringStores;
  webhooks: WebhookStore;
  /** Delivers to loopback receivers, on the test clock; never started (call `runOnce`). */
  dispatcher: WebhookDispatcher;
  /** Number of `notify()` calls (events queued by requests). */
  notified(): number;
  monitor: Monitor;
  clock: TestClock;
  /** The SQLite handle, for tampering with rows. */
  database: BetterSqlite3.Database;
  /** Every row of every table, for "nothing changed" assertions. */
  dump(): Record<string, unknown[]>;
  a: TestWorkspace;
  b: TestWorkspace;
  rootKey(permissions: string[], workspace?: TestWorkspace): Promise<string>;
  close(): Promise<void>;
}

/**
 * The app wired as `startServer` wires alerts, policies and webhooks (plus the usage
 * recorder, monitor and dispatcher, driven by hand) on a SQLite file, with two
 * workspaces holding `*` root keys.
 */
export async function createOpsTestApp(
  options: { app?: Partial<Omit<AppOptions, 'store' | 'engine'>> } = {},
): Promise<OpsTestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-ops-app-'));
  const database = openSqliteDatabase(join(dir, 'keyward.db'));
  await migrateSqlite(database);
  const store = createSqliteStore({ database });
  const usageStore = createSqliteUsageStore({ database });
  const clock = createTestClock();
  const usage = createUsageRecorder({ sink: usageStore, flushIntervalMs: 3_600_000, pruneIntervalMs: 0 });
  const engine = createEngine({ store, usage, now: clock.now });
  const monitoring = createMonitoringStores({ database });
  const webhooks = createWebhookStore({ database });
  const dispatcher = createWebhookDispatcher({
    store: webhooks,
    deliver: createHttpDeliver({ addressPolicy: 'loopback', timeoutMs: 5_000 }),
    now: clock.now,
  });
  let notifications = 0;
  const outbox = { store: webhooks, notify: () => void notifications++ };
  const app = await buildApp({
    store,
    engine,
    now: clock.now,
    docs: false,
    monitoring: { alerts: monitoring.alerts, policies: monitoring.policies },
    webhooks: outbox,
    ...options.app,
  });
  const monitor = createMonitor({ store, engine, monitoring, webhooks: outbox, now: clock.now });

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
    monitoring,
    webhooks,
    dispatcher,
    notified: () => notifications,
    monitor,
    clock,
    database,
    dump() {
      const tables = database
        .prepare(
          "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
        )
        .all() as Array<{ name: string }>;
      const rows = (name: string) =>
        database
          .prepare(`select * from "${name}"`)
          .all()
          .map((row) => JSON.stringify(row))
          .sort();
      return Object.fromEntries(tables.map(({ name }) => [name, rows(name)]));
    },
    a,
    b,
    async rootKey(permissions, ws = a) {
      return (await issueRootKey({ store, engine, now: clock.now }, { workspaceId: ws.id, permissions }))
        .plaintext;
    },
    async close() {
      await dispatcher.stop();
      await app.close();
      await engine.close();
      await usage.close();
      await usageStore.close();
      await webhooks.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
