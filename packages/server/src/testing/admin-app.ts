import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, newId, type Store } from '@keyward/core';
import { createSessionStores } from '@keyward/core/sessions';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { createSqliteUsageStore } from '@keyward/core/usage';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../app.js';
import type { AppOptions } from '../app-options.js';
import { issueRootKey } from '../root-keys.js';
import type { SessionOptions } from '../sessions/session-options.js';

/** A clock tests move by hand. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export const createTestClock = (start = Date.UTC(2030, 0, 1)): TestClock => {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
};

export interface TestWorkspace {
  id: string;
  /** Plaintext root key with `*`. */
  rootKey: string;
  rootKeyId: string;
}

export interface AdminTestApp {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  clock: TestClock;
  /** The SQLite file (null for `:memory:`). */
  path: string | null;
  /** Every row of every table, for "nothing changed" assertions. */
  dump(): Record<string, unknown[]>;
  /** Two workspaces, each with a `*` root key: A is "ours", B the other tenant. */
  a: TestWorkspace;
  b: TestWorkspace;
  /** Issues a root key with the given permissions in workspace A. */
  rootKey(permissions: string[], workspace?: TestWorkspace): Promise<string>;
  close(): Promise<void>;
}

export interface AdminTestAppOptions {
  /** Use a SQLite file in a temp directory instead of `:memory:`. */
  file?: boolean;
  logger?: Logger;
  pepper?: string;
  app?: Partial<Omit<AppOptions, 'store' | 'engine'>>;
  /** Serve the dashboard and the portal, their stores (and usage) on the same database; default off. */
  sessions?: Omit<SessionOptions, 'stores' | 'usage'>;
}

/** A real app on a real SQLite store and engine sharing one hand-moved clock. */
export async function createAdminTestApp(options: AdminTestAppOptions = {}): Promise<AdminTestApp> {
  const dir = options.file ? mkdtempSync(join(tmpdir(), 'keyward-server-')) : null;
  const path = dir === null ? null : join(dir, 'keyward.db');
  const database = openSqliteDatabase(path ?? ':memory:');
  await migrateSqlite(database);
  const store = createSqliteStore({ database });
  const clock = createTestClock();
  const engine = createEngine({
    store,
    now: clock.now,
    ...(options.pepper === undefined ? {} : { pepper: options.pepper }),
  });
  const app = await buildApp({
    store,
    engine,
    now: clock.now,
    // The Swagger UI costs ~0.5 s of start-up; only the docs test needs it.
    docs: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.pepper === undefined ? {} : { pepper: options.pepper }),
    ...(options.sessions === undefined
      ? {}
      : {
          sessions: {
            stores: createSessionStores({ database }),
            usage: createSqliteUsageStore({ database }),
            ...options.sessions,
          },
        }),
    ...options.app,
  });
  const workspace = async (name: string): Promise<TestWorkspace> => {
    const id = newId('ws');
    await store.workspaces.create({ id, name, createdAt: clock.now() });
    const { rootKey, plaintext } = await issueRootKey(
      { store, engine, now: clock.now },
      { workspaceId: id, permissions: ['*'] },
    );
    return { id, rootKey: plaintext, rootKeyId: rootKey.id };
  };
  const a = await workspace('A');
  const b = await workspace('B');
  return {
    app,
    store,
    engine,
    clock,
    path,
    dump() {
      const tables = database
        .prepare(
          "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
        )
        .all() as Array<{ name: string }>;
      // Rows sorted by their content: some tables are WITHOUT ROWID, and only the set matters.
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
      await app.close();
      await engine.close();
      await store.close();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** `app.inject` with a root key and a JSON body. */
export function call(
  app: FastifyInstance,
  rootKey: string | null,
  method: Method,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const request: InjectOptions = {
    method,
    url,
    headers: {
      ...(rootKey === null ? {} : { authorization: `Bearer ${rootKey}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  };
  return app.inject(request);
}

/** A client bound to one root key. */
export const clientFor = (app: FastifyInstance, rootKey: string | null) => ({
  get: (url: string, headers?: Record<string, string>) => call(app, rootKey, 'GET', url, undefined, headers),
  post: (url: string, body?: unknown, headers?: Record<string, string>) =>
    call(app, rootKey, 'POST', url, body, headers),
  patch: (url: string, body?: unknown, headers?: Record<string, string>) =>
    call(app, rootKey, 'PATCH', url, body, headers),
  delete: (url: string, headers?: Record<string, string>) =>
    call(app, rootKey, 'DELETE', url, undefined, headers),
});
export type TestClient = ReturnType<typeof clientFor>;
