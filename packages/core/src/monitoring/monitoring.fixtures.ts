import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyRecord } from '../contracts/model.js';
import type { Store } from '../contracts/store.js';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { newId } from '../keys/ids.js';
import type { SqlHandle } from '../sql/sql-handle.js';
import { createPostgresHandle, createPostgresPool, createStore, migratePostgres } from '../store/postgres.js';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { serviceAvailable } from '../testing/services.js';
import { api, key, seedTenant, workspace } from '../testing/store-conformance/fixtures.js';
import { createThrowawayDatabase } from '../testing/throwaway-postgres.js';
import type { UsageEventStore } from '../usage/usage-store.js';
import { createUsageStore } from '../usage/usage-store-factory.js';
import { createMonitoringStores, type MonitoringStores } from './monitoring-stores.js';

/** One database with the Store, the usage store and the monitoring stores on its one handle. */
export interface MonitoringBackend {
  store: Store;
  usage: UsageEventStore;
  monitoring: MonitoringStores;
  sql: SqlHandle;
  cleanup(): Promise<void>;
}

/** Every store on the one handle; `dispose` runs after the handle is closed. */
const backendOn = (sql: SqlHandle, dispose: () => Promise<void> | void): MonitoringBackend => ({
  store: createStore(sql),
  usage: createUsageStore({ sql }),
  monitoring: createMonitoringStores(sql),
  sql,
  async cleanup() {
    await sql.close();
    await dispose();
  },
});

async function sqliteBackend(): Promise<MonitoringBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-monitoring-'));
  const sql = createSqliteHandle({ database: openSqliteDatabase(join(dir, 'keyward.db')) });
  await migrateSqlite(sql);
  return backendOn(sql, () => rmSync(dir, { recursive: true, force: true }));
}

async function postgresBackend(): Promise<MonitoringBackend> {
  const database = await createThrowawayDatabase();
  const pool = createPostgresPool(database.url);
  // `drop database … with (force)` at cleanup may kill a connection pg-pool is still closing.
  pool.on('error', () => {});
  const sql = createPostgresHandle({ pool });
  await migratePostgres(sql);
  return backendOn(sql, () => database.drop());
}

/** SQLite always; PostgreSQL when reachable. */
export async function monitoringBackends(): Promise<Array<[string, () => Promise<MonitoringBackend>]>> {
  const backends: Array<[string, () => Promise<MonitoringBackend>]> = [['sqlite file', sqliteBackend]];
  if (await serviceAvailable('postgres')) backends.push(['postgres', postgresBackend]);
  return backends;
}

/** A workspace with one API, and a helper to add keys to it. */
export async function tenant(store: Store) {
  const { ws, api: theApi } = await seedTenant(store);
  const addKey = async (over: Partial<KeyRecord> = {}): Promise<KeyRecord> => {
    const record = key(ws.id, theApi.id, {
      roles: [],
      credits: null,
      expiresAt: null,
      allowedIps: [],
      ...over,
    });
    await store.keys.create(record);
    return record;
  };
  return { ws, api: theApi, addKey };
}

export { api, workspace };

/** `count` verifications of a key spread evenly over [from, from + spanMs), from `ip(i)`. */
export function traffic(
  target: { workspaceId: string | null; keyId: string | null },
  from: number,
  spanMs: number,
  count: number,
  ip: (i: number) => string = () => '192.0.2.10',
  code: UsageEvent['code'] = 'VALID',
): UsageEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    time: from + Math.floor((i * spanMs) / count),
    workspaceId: target.workspaceId,
    apiId: null,
    keyId: target.keyId,
    consumerId: null,
    code,
    cost: 0,
    ip: ip(i),
    tags: [],
  }));
}

/** Writes events through the usage store in batches (as the recorder would). */
export async function write(usage: UsageEventStore, events: readonly UsageEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    await usage.write({ id: randomUUID(), events: events.slice(i, i + 1000) });
  }
}

export const newWorkspaceId = () => newId('ws');
