import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyListQuery, type KeyRecord, newId, type Store } from '@keyward/core';
import {
  createPostgresHandle,
  createPostgresPool,
  createStore as createPostgresStore,
  migratePostgres,
} from '@keyward/core/postgres';
import {
  createSqliteHandle,
  createStore as createSqliteStore,
  migrateSqlite,
  openSqliteDatabase,
} from '@keyward/core/sqlite';
import { createThrowawayDatabase, keyListSql, serviceAvailable } from '@keyward/core/testing/servers';
import type { Row } from './harness.js';

/**
 * The dashboard's keys page at scale: one workspace with `keys` keys (bulk-created through
 * the store, as an import would), then the page queries the dashboard sends, each timed
 * over `rounds` runs (the median and the slowest reported as p50 / p99). Every query asks
 * for one page of 50, newest first, as the keys page does.
 */
export interface KeysPageBenchOptions {
  /** Keys in the workspace; default 100_000. */
  keys?: number;
  /** Timed runs per query; default 20. */
  rounds?: number;
  /** Print each query's plan (EXPLAIN QUERY PLAN / EXPLAIN) to stderr. */
  plans?: boolean;
}

const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;

function seedKeys(workspaceId: string, apiIds: string[], consumerIds: string[], count: number): KeyRecord[] {
  const keys: KeyRecord[] = [];
  for (let i = 0; i < count; i++) {
    const secret = randomBytes(8).toString('hex');
    keys.push({
      id: newId('key'),
      workspaceId,
      apiId: apiIds[i % apiIds.length] as string,
      consumerId: i % 10 === 0 ? null : (consumerIds[i % consumerIds.length] as string),
      digest: createHash('sha256').update(secret).digest('hex'),
      hint: `amp_live_${secret.slice(0, 4)}…${secret.slice(-4)}`,
      name: i % 7 === 0 ? `production ${i}` : `key ${i}`,
      meta: null,
      permissions: ['sessions:read'],
      roles: [],
      ratelimits: [],
      credits: null,
      allowedIps: [],
      environment: 'live',
      // 1% revoked, 1% disabled, 1% expired: the rare states are the slow filters without an index.
      enabled: i % 100 !== 1,
      disabledReason: null,
      expiresAt: i % 100 === 2 ? T0 - DAY : null,
      revokedAt: i % 100 === 3 ? T0 - DAY : null,
      imported: false,
      kind: 'secret',
      createdAt: T0,
      updatedAt: T0,
    });
  }
  return keys;
}

interface Subject {
  name: string;
  store: Store;
  explain(workspaceId: string, query: KeyListQuery): Promise<string>;
  analyze(): Promise<void>;
  close(): Promise<void>;
}

async function fill(store: Store, keyCount: number) {
  const workspaceId = newId('ws');
  await store.workspaces.create({ id: workspaceId, name: 'bench', createdAt: T0 });
  const apiIds = [newId('api'), newId('api'), newId('api')];
  for (const [i, id] of apiIds.entries()) {
    await store.apis.create({
      id,
      workspaceId,
      name: `API ${i}`,
      prefix: 'amp_live',
      createdAt: T0,
      updatedAt: T0,
    });
  }
  const consumerIds: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const id = newId('con');
    consumerIds.push(id);
    await store.consumers.create({
      id,
      workspaceId,
      externalId: `customer-${String(i).padStart(4, '0')}`,
      name: null,
      meta: null,
      ratelimits: [],
      credits: null,
      createdAt: T0,
      updatedAt: T0,
    });
  }
  const keys = seedKeys(workspaceId, apiIds, consumerIds, keyCount);
  for (let i = 0; i < keys.length; i += 5000) await store.keys.createMany(keys.slice(i, i + 5000));
  const middle = keys[Math.floor(keys.length / 2)] as KeyRecord;
  return { workspaceId, apiIds, consumerIds, middle };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function runKeysPageBench(options: KeysPageBenchOptions = {}): Promise<Row[]> {
  const { keys = 100_000, rounds = 20, plans = false } = options;
  const subjects: Array<() => Promise<Subject>> = [
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'keyward-keys-page-'));
      const database = openSqliteDatabase(join(dir, 'keyward.db'));
      const handle = createSqliteHandle({ database });
      await migrateSqlite(handle);
      const store = createSqliteStore(handle);
      return {
        name: 'SQLite',
        store,
        analyze: async () => {
          database.exec('analyze');
        },
        explain: async (workspaceId, query) => {
          const { sql, parameters } = keyListSql(handle, workspaceId, query);
          const plan = database.prepare(`explain query plan ${sql}`).all(...parameters) as Array<{
            detail: string;
          }>;
          return plan.map((row) => `  ${row.detail}`).join('\n');
        },
        async close() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ];
  if (await serviceAvailable('postgres')) {
    subjects.push(async () => {
      const throwaway = await createThrowawayDatabase();
      const pool = createPostgresPool(throwaway.url);
      pool.on('error', () => {});
      const handle = createPostgresHandle({ pool });
      await migratePostgres(handle);
      const store = createPostgresStore(handle);
      return {
        name: 'PostgreSQL',
        store,
        analyze: async () => {
          await pool.query('vacuum analyze keys');
          await pool.query('analyze');
        },
        explain: async (workspaceId, query) => {
          const { sql, parameters } = keyListSql(handle, workspaceId, query);
          const plan = await pool.query<{ 'QUERY PLAN': string }>(`explain analyze ${sql}`, [...parameters]);
          return plan.rows.map((row) => `  ${row['QUERY PLAN']}`).join('\n');
        },
        async close() {
          await store.close();
          await throwaway.drop();
        },
      };
    });
  }

  const rows: Row[] = [];
  for (const open of subjects) {
    const subject = await open();
    try {
      const { workspaceId, apiIds, consumerIds, middle } = await fill(subject.store, keys);
      // As autovacuum does soon after a bulk import: statistics for the planner, and (PostgreSQL) the
      // visibility map that lets a search scan the covering index alone.
      await subject.analyze();
      const deepCursor = Buffer.from(middle.id, 'utf8').toString('base64url');
      const at = T0;
      const queries: Array<[string, KeyListQuery]> = [
        ['first page', {}],
        ['page 1000 (cursor mid-way)', { cursor: deepCursor }],
        ['API filter', { apiId: apiIds[1] as string }],
        ['consumer filter', { consumerId: consumerIds[7] as string }],
        ['state active', { state: { is: 'active', at } }],
        ['state revoked (1%)', { state: { is: 'revoked', at } }],
        ['state disabled (1%)', { state: { is: 'disabled', at } }],
        ['state expired (1%)', { state: { is: 'expired', at } }],
        ['search, common ("production")', { search: 'production' }],
        ['search, external id ("customer-0042")', { search: 'customer-0042' }],
        ['search, no match', { search: 'zzzz-nothing' }],
        [
          'search + API + state',
          { search: 'production', apiId: apiIds[0] as string, state: { is: 'active', at } },
        ],
      ];
      for (const [name, query] of queries) {
        const full: KeyListQuery = { limit: 50, order: 'desc', ...query };
        if (plans) console.error(`${subject.name} ${name}:\n${await subject.explain(workspaceId, full)}`);
        await subject.store.keys.list(workspaceId, full);
        const times: number[] = [];
        for (let i = 0; i < rounds; i++) {
          const start = performance.now();
          await subject.store.keys.list(workspaceId, full);
          times.push(performance.now() - start);
        }
        const p50 = median(times);
        rows.push({
          group: 'keys-page',
          name: `${subject.name}, ${keys.toLocaleString('en')} keys: ${name}`,
          rate: 1000 / p50,
          unit: 'ops/s',
          p50Ms: p50,
          p99Ms: Math.max(...times),
        });
      }
    } finally {
      await subject.close();
    }
  }
  return rows;
}
