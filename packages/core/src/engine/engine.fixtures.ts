import BetterSqlite3 from 'better-sqlite3';
import type { Engine, EngineOptions } from '../contracts/engine.js';
import type { Api, Consumer, KeyRecord, Workspace } from '../contracts/model.js';
import type { Store } from '../contracts/store.js';
import { newId } from '../keys/ids.js';
import { generateKey, keyHint } from '../keys/key-format.js';
import { createSqliteHandle, createStore, migrateSqlite } from '../store/sqlite.js';
import { createEngine } from './engine.js';

/** Engine tests run on the real SQLite store (`:memory:`), seen through a call-counting proxy. */

export const T0 = 1_700_000_000_000;

/** Records every store call as `<area>.<method>` (e.g. `keys.findByDigest`) and can hold calls back. */
export function countingStore(store: Store): {
  store: Store;
  calls: string[];
  /** Makes the next calls of `method` wait until the returned release function is called. */
  hold(method: string): () => void;
} {
  const calls: string[] = [];
  const gates = new Map<string, Promise<void>>();
  const counted =
    (name: string, fn: (...args: unknown[]) => unknown, self: object) =>
    async (...args: unknown[]) => {
      calls.push(name);
      const gate = gates.get(name);
      if (gate !== undefined) await gate;
      return fn.apply(self, args);
    };
  const wrap = <T extends object>(target: T, area: string | null): T =>
    new Proxy(target, {
      get(obj, prop) {
        const value: unknown = Reflect.get(obj, prop);
        const name = area === null ? String(prop) : `${area}.${String(prop)}`;
        if (typeof value === 'function') return counted(name, value as (...args: unknown[]) => unknown, obj);
        if (area === null && typeof value === 'object' && value !== null) return wrap(value, String(prop));
        return value;
      },
    });
  const proxy = wrap(store, null);
  return {
    store: proxy,
    calls,
    hold(method) {
      let release = () => {};
      gates.set(
        method,
        new Promise<void>((resolve) => {
          release = () => {
            gates.delete(method);
            resolve();
          };
        }),
      );
      return release;
    },
  };
}

export interface Harness {
  engine: Engine;
  /** The real store (not counted): for setting up and changing data. */
  store: Store;
  /** Store calls the engine made. */
  calls: string[];
  hold(method: string): () => void;
  clock: { now: number };
  ws: Workspace;
  api: Api;
  /** Another API of the same workspace. */
  otherApi: Api;
  /** Stores a key (defaults: no limits, no credits, no IP list) and returns its plaintext. */
  issue(over?: Partial<KeyRecord>): Promise<{ key: string; record: KeyRecord }>;
  consumer(over?: Partial<Consumer>): Promise<Consumer>;
  close(): Promise<void>;
}

export async function createHarness(
  options: Partial<Omit<EngineOptions, 'store' | 'now'>> = {},
): Promise<Harness> {
  const sql = createSqliteHandle({ database: new BetterSqlite3(':memory:') });
  await migrateSqlite(sql);
  const store = createStore(sql);
  const counted = countingStore(store);
  const clock = { now: T0 };
  const ws: Workspace = { id: newId('ws'), name: 'Acme', createdAt: T0 };
  const api: Api = {
    id: newId('api'),
    workspaceId: ws.id,
    name: 'Charging',
    prefix: 'amp_live',
    createdAt: T0,
    updatedAt: T0,
  };
  const otherApi: Api = { ...api, id: newId('api'), name: 'Billing', prefix: 'bill' };
  await store.workspaces.create(ws);
  await store.apis.create(api);
  await store.apis.create(otherApi);
  const engine = createEngine({ ...options, store: counted.store, now: () => clock.now });

  return {
    engine,
    store,
    calls: counted.calls,
    hold: counted.hold,
    clock,
    ws,
    api,
    otherApi,
    async issue(over = {}) {
      const key = over.imported === true ? `foreign_${newId('req')}` : generateKey(api.prefix);
      const record: KeyRecord = {
        id: newId('key'),
        workspaceId: ws.id,
        apiId: api.id,
        consumerId: null,
        digest: engine.digest(key),
        hint: keyHint(key),
        name: 'backend',
        meta: { team: 'ops' },
        permissions: ['sessions:read'],
        roles: [],
        ratelimits: [],
        credits: null,
        allowedIps: [],
        environment: 'live',
        enabled: true,
        disabledReason: null,
        expiresAt: null,
        revokedAt: null,
        imported: false,
        kind: 'secret',
        createdAt: clock.now,
        updatedAt: clock.now,
        ...over,
      };
      await store.keys.create(record);
      return { key, record };
    },
    async consumer(over = {}) {
      const consumer: Consumer = {
        id: newId('con'),
        workspaceId: ws.id,
        externalId: `cust_${newId('req')}`,
        name: 'Ionity',
        meta: { plan: 'pro' },
        ratelimits: [],
        credits: null,
        createdAt: clock.now,
        updatedAt: clock.now,
        ...over,
      };
      await store.consumers.create(consumer);
      return consumer;
    },
    async close() {
      await engine.close();
      await store.close();
    },
  };
}

/** How many times the engine called a store method. */
export const callCount = (calls: readonly string[], method: string): number =>
  calls.filter((c) => c === method).length;
