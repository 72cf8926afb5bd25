import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, newId, type Store } from '@keyward/core';
import { createMonitoringStores, type MonitoringStores } from '@keyward/core/monitoring';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { createSqliteUsageStore, createUsageRecorder, type UsageRecorder } from '@keyward/core/usage';
import { createWebhookStore, type WebhookStore } from '@keyward/core/webhooks';
import type BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import type { AppOptions } from '../../../src/app-options.js';
import { createAppLogger } from '../../../src/logging.js';
import { createMetrics, instrumentEngine, registerMetrics } from '../../../src/metrics.js';
import { issueRootKey } from '../../../src/root-keys.js';
import { usageRoutes } from '../../../src/routes/usage.js';
import { createTestClock, type TestClock, type TestWorkspace } from '../../../src/testing/admin-app.js';

/** Every face of the server wired as `startServer` wires it, with every log line captured. */
export interface FullApp {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  usage: UsageRecorder;
  monitoring: MonitoringStores;
  webhooks: WebhookStore;
  clock: TestClock;
  database: BetterSqlite3.Database;
  /** The SQLite file. */
  path: string;
  /** Every JSON log line written, at trace level. */
  lines: string[];
  /** Every row of every table. */
  dump(): Record<string, string[]>;
  /** The raw bytes of the database file and its WAL. */
  files(): Buffer;
  a: TestWorkspace;
  b: TestWorkspace;
  rootKey(permissions: string[], workspace?: TestWorkspace): Promise<string>;
  close(): Promise<void>;
}

export interface FullAppOptions {
  pepper?: string;
  app?: Partial<Omit<AppOptions, 'store' | 'engine'>>;
}

/**
 * The admin and verify API, alerts, policies, webhooks, usage routes and `/metrics` on a
 * SQLite file: the whole route table the security suite is generated from.
 */
export async function createFullApp(options: FullAppOptions = {}): Promise<FullApp> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-security-'));
  const path = join(dir, 'keyward.db');
  const database = openSqliteDatabase(path);
  await migrateSqlite(database);
  const store = createSqliteStore({ database });
  const usageStore = createSqliteUsageStore({ database });
  const clock = createTestClock();
  const lines: string[] = [];
  const logger = createAppLogger({
    level: 'trace',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const metrics = createMetrics({ processMetrics: false });
  const usage = createUsageRecorder({ sink: usageStore, flushIntervalMs: 3_600_000, pruneIntervalMs: 0 });
  const pepper = options.pepper === undefined ? {} : { pepper: options.pepper };
  const engine = instrumentEngine(createEngine({ store, usage, now: clock.now, ...pepper }), metrics);
  metrics.watch({ usage, engine });
  const monitoring = createMonitoringStores({ database });
  const webhooks = createWebhookStore({ database }, pepper);
  const app = await buildApp({
    store,
    engine,
    now: clock.now,
    docs: false,
    logger,
    ...pepper,
    monitoring: { alerts: monitoring.alerts, policies: monitoring.policies },
    webhooks: { store: webhooks, notify: () => undefined },
    ...options.app,
  });
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
    monitoring,
    webhooks,
    clock,
    database,
    path,
    lines,
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
    files() {
      database.pragma('wal_checkpoint(PASSIVE)');
      return Buffer.concat(
        [path, `${path}-wal`].flatMap((file) => {
          try {
            return [readFileSync(file)];
          } catch {
            return [];
          }
        }),
      );
    },
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
      await webhooks.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
