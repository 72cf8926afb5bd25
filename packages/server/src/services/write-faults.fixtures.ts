import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CreditLedger,
  type CreditOwner,
  createCachedCreditLedger,
  createDigester,
  createEngine,
  type Engine,
  type InvalidationMessage,
  KeywardError,
  newId,
  type SqlStore,
  type Store,
  type StoreTransaction,
} from '@keyward/core';
import { createMonitoringStores, type MonitoringStores } from '@keyward/core/monitoring';
import { createPostgresHandle, createPostgresPool, migratePostgres } from '@keyward/core/postgres';
import {
  createSqliteHandle,
  createStore,
  migrateSqlite,
  openSqliteDatabase,
  type SqlHandle,
} from '@keyward/core/sqlite';
import { createThrowawayDatabase, serviceAvailable } from '@keyward/core/testing';
import { createWebhookStore, type WebhookStore } from '@keyward/core/webhooks';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Actor, ServiceDeps } from './context.js';

/**
 * Fault injection for admin writes: every call a write makes on the stores inside its
 * transaction (the store's areas, the webhook outbox, alerts, policies) is one step, and the
 * plan fails step N with an `UNAVAILABLE` error. `expectAllOrNothing` runs a write with
 * N = 1, 2, ... until it completes, and checks after each failure that the database is
 * exactly as before and that nothing was announced (no cache invalidation, no dispatcher
 * wake-up, no credit reload, no forgotten root key).
 */
export interface FaultPlan {
  /** Steps taken since `arm`. */
  steps: number;
  /** The step that fails; 0: none. */
  failAt: number;
}

const step = (plan: FaultPlan): void => {
  plan.steps++;
  if (plan.steps === plan.failAt) {
    throw new KeywardError('UNAVAILABLE', `injected fault at step ${plan.steps}`);
  }
};

/** Every method of `area` counts as a step; `within` (binding to a transaction) does not. */
function faultyArea<T extends object>(area: T, plan: FaultPlan): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(area)) {
    if (typeof value !== 'function' || name === 'within') {
      out[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    out[name] = (...args: unknown[]) => {
      try {
        step(plan);
      } catch (error) {
        return Promise.reject(error);
      }
      return method.apply(area, args);
    };
  }
  return out as T;
}

function faultyTransaction(tx: StoreTransaction, plan: FaultPlan): StoreTransaction {
  const faulty: StoreTransaction = {
    ...tx,
    workspaces: faultyArea(tx.workspaces, plan),
    apis: faultyArea(tx.apis, plan),
    consumers: faultyArea(tx.consumers, plan),
    roles: faultyArea(tx.roles, plan),
    keys: faultyArea(tx.keys, plan),
    rootKeys: faultyArea(tx.rootKeys, plan),
    audit: faultyArea(tx.audit, plan),
    idempotency: faultyArea(tx.idempotency, plan),
    credits: faultyArea(tx.credits, plan),
    transaction: (work) => work(faulty),
  };
  return faulty;
}

/** What the writes told the rest of the system. */
export interface Effects {
  invalidations: InvalidationMessage[];
  notified: number;
  reloads: CreditOwner[];
  forgotten: string[];
}

export interface FaultBackend {
  name: string;
  /** The deps the writes run with: stores that fail at `plan.failAt` inside a transaction. */
  deps: ServiceDeps;
  plan: FaultPlan;
  effects: Effects;
  actor: Actor;
  /** The real stores, for setting up and checking outside any fault. */
  store: SqlStore;
  webhooks: WebhookStore;
  monitoring: MonitoringStores;
  /** Every row of every table, canonical. */
  snapshot(): Promise<string>;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2030, 0, 1);

async function tables(handle: SqlHandle): Promise<string[]> {
  const query =
    handle.dialect === 'sqlite'
      ? sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'keyward_migration%' order by name`
      : sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'keyward_migration%' order by table_name`;
  return (await query.execute(handle.db)).rows.map((row) => row.name);
}

async function snapshotOf(handle: SqlHandle, names: readonly string[]): Promise<string> {
  const dump: Record<string, string[]> = {};
  for (const name of names) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(handle.db);
    dump[name] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return JSON.stringify(dump);
}

async function backendOn(
  name: string,
  handle: SqlHandle,
  dispose: () => Promise<void>,
  ledgerOf: (store: SqlStore) => CreditLedger & { close?: () => Promise<void> },
): Promise<FaultBackend> {
  const store = createStore(handle);
  const webhooks = createWebhookStore(handle, { pepper: 'a pepper of at least thirty-two characters!' });
  const monitoring = createMonitoringStores(handle);
  const plan: FaultPlan = { steps: 0, failAt: 0 };
  const effects: Effects = { invalidations: [], notified: 0, reloads: [], forgotten: [] };
  const ledger = ledgerOf(store);
  const credits: CreditLedger = {
    ...ledger,
    reload: async (owner) => {
      effects.reloads.push({ ...owner });
      await ledger.reload(owner);
    },
  };
  const real = createEngine({ store: { ...store, credits }, credits });
  const engine: Engine = {
    ...real,
    invalidate: async (message) => {
      effects.invalidations.push(message);
      await real.invalidate(message);
    },
  };
  const live: Store = { ...store, credits };
  const faulty: Store = {
    ...live,
    transaction: (work) => live.transaction((tx) => work(faultyTransaction(tx, plan))),
  };
  const deps: ServiceDeps = {
    store: faulty,
    engine,
    digester: createDigester(),
    now: () => T0,
    forgetRootKey: async (id) => {
      effects.forgotten.push(id);
    },
    monitoring: {
      alerts: { ...monitoring.alerts, within: (tx) => faultyArea(monitoring.alerts.within(tx), plan) },
      policies: { ...monitoring.policies, within: (tx) => faultyArea(monitoring.policies.within(tx), plan) },
    },
    webhooks: {
      store: { ...webhooks, within: (tx) => faultyArea(webhooks.within(tx), plan) },
      notify: () => {
        effects.notified++;
      },
    },
  };
  const workspaceId = newId('ws');
  await store.workspaces.create({ id: workspaceId, name: 'Faults', createdAt: T0 });
  const names = await tables(handle);
  return {
    name,
    deps,
    plan,
    effects,
    actor: {
      workspaceId,
      rootKeyId: 'rk_faults',
      permissions: ['*'],
      ip: '192.0.2.1',
      requestId: 'req_faults',
    },
    store,
    webhooks,
    monitoring,
    snapshot: () => snapshotOf(handle, names),
    async cleanup() {
      await engine.close();
      await ledger.close?.();
      await handle.close();
      await dispose();
    },
  };
}

/** A SQLite file, with the write-behind credit ledger start-up puts in front of it. */
async function sqliteBackend(): Promise<FaultBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-faults-'));
  const handle = createSqliteHandle({ database: openSqliteDatabase(join(dir, 'keyward.db')) });
  await migrateSqlite(handle);
  return backendOn(
    'sqlite file',
    handle,
    async () => rmSync(dir, { recursive: true, force: true }),
    (store) => createCachedCreditLedger({ inner: store.credits, flushIntervalMs: 3_600_000 }),
  );
}

/** A throwaway PostgreSQL database, spending in the database as a node without Redis does. */
async function postgresBackend(): Promise<FaultBackend> {
  const database = await createThrowawayDatabase();
  const pool = createPostgresPool(database.url);
  // `drop database … with (force)` at cleanup may kill a connection pg-pool is still closing.
  pool.on('error', () => {});
  const handle = createPostgresHandle({ pool });
  await migratePostgres(handle);
  return backendOn(
    'postgres',
    handle,
    () => database.drop(),
    (store) => store.credits,
  );
}

/** SQLite always; PostgreSQL when reachable (`serviceAvailable` says why not, or fails in CI). */
export async function faultBackends(): Promise<Array<[string, () => Promise<FaultBackend>]>> {
  const backends: Array<[string, () => Promise<FaultBackend>]> = [['sqlite file', sqliteBackend]];
  if (await serviceAvailable('postgres')) backends.push(['postgres', postgresBackend]);
  return backends;
}

/** More steps than any admin write takes: a write still failing here never completes. */
const MAX_STEPS = 60;

const countEffects = (effects: Effects) =>
  `${effects.invalidations.length}/${effects.notified}/${effects.reloads.length}/${effects.forgotten.length}`;

/**
 * Runs `write` failing at step 1, 2, ... until it completes. After each failure the
 * database is exactly as before and nothing was announced; the completed run's result is
 * returned with the number of steps it took (each of which was failed once).
 */
export async function expectAllOrNothing<T>(
  b: FaultBackend,
  write: () => Promise<T>,
): Promise<{ result: T; steps: number }> {
  for (let failAt = 1; failAt <= MAX_STEPS; failAt++) {
    const before = await b.snapshot();
    const announced = countEffects(b.effects);
    b.plan.steps = 0;
    b.plan.failAt = failAt;
    const outcome = await write().then(
      (result) => ({ done: true as const, result }),
      (error: unknown) => ({ done: false as const, error }),
    );
    const taken = b.plan.steps;
    b.plan.failAt = 0;
    if (outcome.done) {
      // Completed without reaching the armed step: every step it takes was failed once before.
      expect(taken).toBe(failAt - 1);
      return { result: outcome.result, steps: taken };
    }
    expect(outcome.error).toMatchObject({ code: 'UNAVAILABLE', message: `injected fault at step ${failAt}` });
    expect(await b.snapshot(), `the database after a fault at step ${failAt}`).toBe(before);
    expect(countEffects(b.effects), `what was announced after a fault at step ${failAt}`).toBe(announced);
  }
  throw new Error(`the write did not complete within ${MAX_STEPS} steps`);
}
