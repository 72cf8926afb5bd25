import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions, newId, type Store } from '@keyward/core';
import type { MonitoringStores } from '@keyward/core/monitoring';
import { openSqliteDatabase } from '@keyward/core/sqlite';
import { createUsageRecorder, type UsageEventStore, type UsageRecorder } from '@keyward/core/usage';
import type { WebhookDispatcher, WebhookStore } from '@keyward/core/webhooks';
import type BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { type AppOptions, buildApp } from '../app.js';
import { type Config, loadConfig } from '../config.js';
import type { LifetimeJob } from '../lifetime/lifetime-job.js';
import { createMetrics, instrumentEngine, type KeywardMetrics } from '../metrics.js';
import type { ExposureQueue } from '../monitoring/exposure-queue.js';
import type { Monitor } from '../monitoring/monitor.js';
import { issueRootKey } from '../root-keys.js';
import type { SessionOptions } from '../sessions/session-options.js';
import { openDatabase } from '../start-dependencies.js';
import { createOperations } from '../start-operations.js';
import { createTestClock, type TestClock } from './test-clock.js';

export interface TestWorkspace {
  id: string;
  /** Plaintext root key with `*`. */
  rootKey: string;
  rootKeyId: string;
}

export interface TestAppOptions {
  /**
   * `memory` (default): SQLite `:memory:`, the fastest. `file`: a SQLite file in a temp
   * directory (removed on close), which `database` and `dump()` can read and tamper with.
   */
  storage?: 'memory' | 'file';
  /** The pepper of the engine, the app and the webhook secrets (at least 32 characters, as `keyward serve` demands). */
  pepper?: string;
  /** Default: no logs. */
  logger?: Logger;
  /** Listen on a loopback port (remote verifiers, socket tests); `url` is set then. Default false. */
  listen?: boolean;
  /** Engine options over the defaults (the test clock, the usage recorder, the pepper). */
  engine?: Partial<Omit<EngineOptions, 'store' | 'usage' | 'now' | 'pepper'>>;
  /**
   * The dashboard and the portal (sessions, portal links, static files), on the same
   * database as `keyward serve` has them; these options go over its defaults (e.g.
   * `idleTimeoutMs`, `staticDir`). `false`: neither is served.
   */
  sessions?: Partial<Omit<SessionOptions, 'stores' | 'usage'>> | false;
  /** `buildApp` options over what `keyward serve` gives it (e.g. `throttle`, `bodyLimit`, `docs`). */
  app?: Partial<Omit<AppOptions, 'store' | 'engine' | 'pepper'>>;
}

export interface TestApp {
  app: FastifyInstance;
  /** The store as the app sees it (database outages answer UNAVAILABLE, as in `keyward serve`). */
  store: Store;
  engine: Engine;
  clock: TestClock;
  /** The engine's usage recorder; it writes only when flushed (`usage.flush()`). */
  usage: UsageRecorder;
  /** Where the recorder writes, read by the usage routes. */
  usageStore: UsageEventStore;
  metrics: KeywardMetrics;
  monitoring: MonitoringStores;
  webhooks: WebhookStore;
  /** Delivers to loopback receivers on the test clock; never started (call `runOnce`). */
  dispatcher: WebhookDispatcher;
  /** Number of `notify()` calls from requests (events they queued). */
  notified(): number;
  /** The access-pattern detectors, on the test clock; run them by hand. */
  monitor: Monitor;
  /** The key lifetime job, on the test clock; run it by hand. */
  lifetime: LifetimeJob;
  /** Where the engine hands secret keys seen in browsers; `drain()` waits for their reports. */
  exposures: ExposureQueue;
  /** `http://127.0.0.1:<port>` with `listen: true`, else null. */
  url: string | null;
  /** The SQLite file (null for `:memory:`). */
  path: string | null;
  /** A second handle on the SQLite file, for reading and tampering with rows (`storage: 'file'` only). */
  readonly database: BetterSqlite3.Database;
  /** Every row of every table, for "nothing changed" assertions (`storage: 'file'` only). */
  dump(): Record<string, unknown[]>;
  /** Two workspaces, each with a `*` root key: A is "ours", B the other tenant. */
  a: TestWorkspace;
  b: TestWorkspace;
  /** Issues a root key with the given permissions (default in workspace A). */
  rootKey(permissions: string[], workspace?: TestWorkspace): Promise<string>;
  close(): Promise<void>;
}

/** `keyward serve`'s configuration for a test: SQLite in `dataDir`, loopback webhooks, no logs. */
function testConfig(dataDir: string, storage: 'memory' | 'file', pepper: string | undefined): Config {
  const config = loadConfig({
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_LOG_LEVEL: 'silent',
    KEYWARD_WEBHOOK_ADDRESSES: 'loopback',
    ...(pepper === undefined ? {} : { KEYWARD_PEPPER: pepper }),
  });
  return storage === 'file' ? config : { ...config, database: { kind: 'sqlite', path: ':memory:' } };
}

/** Every row of every table of a SQLite handle, each table's rows sorted (some tables are WITHOUT ROWID). */
function dumpTables(database: BetterSqlite3.Database): Record<string, unknown[]> {
  const tables = database
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .all() as Array<{ name: string }>;
  const rows = (name: string) =>
    database
      .prepare(`select * from "${name}"`)
      .all()
      .map((row) => JSON.stringify(row))
      .sort();
  return Object.fromEntries(tables.map(({ name }) => [name, rows(name)]));
}

/**
 * keyward as `keyward serve` wires it (the same `openDatabase`, migrations, `buildApp` with
 * usage routes, `/metrics`, alerts, policies and webhooks, an instrumented engine recording
 * usage), on SQLite, with one hand-moved clock and two workspaces holding `*` root keys.
 * What differs, so that tests decide what happens when: the usage recorder flushes only
 * when asked, the webhook dispatcher and the monitor run only when called, credits are
 * spent in the database directly, the engine keeps its own defaults (no stale serving),
 * and the Swagger UI is off (`app: { docs: true }` turns it on; it costs ~0.5 s).
 *
 * @example
 * const t = await createTestApp();
 * const res = await clientFor(t.app, t.a.rootKey).post('/v1/apis', { name: 'Charging', prefix: 'amp' });
 * await t.close();
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { storage = 'memory', pepper, listen = false } = options;
  const dir = mkdtempSync(join(tmpdir(), 'keyward-test-app-'));
  const config = testConfig(dir, storage, pepper);
  const logger = options.logger ?? pino({ level: 'silent' });
  const database = await openDatabase(config, { logger });
  await database.migrate();
  const { store } = database;
  const clock = createTestClock();
  const metrics = createMetrics({ processMetrics: false });
  let exposures: ExposureQueue | null = null;
  const usage = createUsageRecorder({ sink: database.usage, flushIntervalMs: 3_600_000, pruneIntervalMs: 0 });
  const engine = instrumentEngine(
    createEngine({
      store,
      usage,
      now: clock.now,
      onClientExposure: (sighting) => exposures?.push(sighting),
      ...(pepper === undefined ? {} : { pepper }),
      ...options.engine,
    }),
    metrics,
  );
  metrics.watch({ usage, engine });
  const operations = createOperations({ config, database, store, engine, metrics, logger, now: clock.now });
  exposures = operations.exposures;
  let notifications = 0;
  const app = await buildApp({
    store,
    engine,
    now: clock.now,
    docs: false,
    ...(pepper === undefined ? {} : { pepper }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    readiness: async () => ({ database: await database.probe() }),
    monitoring: operations.monitoring,
    webhooks: {
      ...operations.webhooks,
      notify: () => {
        notifications++;
        operations.webhooks.notify();
      },
    },
    usage: database.usage,
    metrics,
    ...(options.sessions === false
      ? {}
      : {
          sessions: {
            idleTimeoutMs: config.sessionIdleMinutes * 60_000,
            maxAgeMs: config.sessionMaxHours * 3_600_000,
            publicUrl: config.publicUrl,
            ...options.sessions,
            stores: database.sessions,
            usage: database.usage,
          },
        }),
    ...options.app,
  });
  const url = listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : null;

  const path = storage === 'file' && config.database.kind === 'sqlite' ? config.database.path : null;
  let raw: BetterSqlite3.Database | null = null;
  const rawHandle = (): BetterSqlite3.Database => {
    if (path === null) throw new Error("createTestApp: reading the database needs storage: 'file'");
    if (raw === null) {
      raw = openSqliteDatabase(path);
      raw.pragma('busy_timeout = 5000');
    }
    return raw;
  };

  const issue = async (workspaceId: string, permissions: string[]) =>
    issueRootKey({ store, engine, now: clock.now }, { workspaceId, permissions });
  const workspace = async (name: string): Promise<TestWorkspace> => {
    const id = newId('ws');
    await store.workspaces.create({ id, name, createdAt: clock.now() });
    const { rootKey, plaintext } = await issue(id, ['*']);
    return { id, rootKey: plaintext, rootKeyId: rootKey.id };
  };
  const a = await workspace('A');
  const b = await workspace('B');

  return {
    app,
    store,
    engine,
    clock,
    usage,
    usageStore: database.usage,
    metrics,
    monitoring: database.monitoring,
    webhooks: database.webhooks,
    dispatcher: operations.dispatcher,
    notified: () => notifications,
    monitor: operations.monitor,
    lifetime: operations.lifetime,
    exposures: operations.exposures,
    url,
    path,
    get database() {
      return rawHandle();
    },
    dump: () => dumpTables(rawHandle()),
    a,
    b,
    rootKey: async (permissions, ws = a) => (await issue(ws.id, permissions)).plaintext,
    async close() {
      // As `keyward serve` closes: the app, the background work, the engine, usage (flushed), the database.
      await app.close();
      await operations.stop();
      await engine.close();
      await usage.close();
      raw?.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
