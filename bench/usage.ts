import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createEngine, type Engine, type UsageEvent } from '@keyward/core';
import {
  createPostgresHandle,
  createPostgresPool,
  migratePostgres,
  type PostgresHandle,
} from '@keyward/core/postgres';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import {
  createUsageRecorder,
  createUsageStore,
  type UsageRecorder,
  type UsageWriter,
} from '@keyward/core/usage';
import pg from 'pg';
import { benchKey, benchStore } from './fixtures.js';
import { measureOps, type Row } from './harness.js';

const POSTGRES_URL =
  process.env.KEYWARD_BENCH_DATABASE_URL ??
  process.env.KEYWARD_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 1000;

export interface UsageBenchOptions {
  /** Length of each verify measurement in ms. Default 3000. */
  durationMs?: number;
  /** Events written per ingestion row. Default 100_000. */
  events?: number;
}

/**
 * Distinct events, as a busy multi-tenant API produces them: 200 keys over 20 workspaces,
 * 1000 client IPs, four outcomes, one event per ms. Consecutive events never repeat, so
 * the store's merging of identical runs does not help.
 */
function distinctEvents(count: number, start: number): UsageEvent[] {
  const codes = ['VALID', 'VALID', 'RATE_LIMITED', 'NOT_FOUND'] as const;
  return Array.from({ length: count }, (_, i) => ({
    time: start + i,
    workspaceId: `ws_${i % 20}`,
    apiId: `api_${i % 20}`,
    keyId: `key_${i % 200}`,
    consumerId: i % 3 === 0 ? null : `con_${i % 50}`,
    code: codes[i % 4] ?? 'VALID',
    cost: i % 4 === 0 ? 1 : 0,
    ip: `198.51.${(i >> 8) % 4}.${i % 250}`,
    tags: i % 2 === 0 ? ['GET /sessions'] : [],
  }));
}

/** One client hammering one key: 50 identical events per ms (runs are merged into one row each). */
function burstEvents(count: number, start: number): UsageEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    time: start + Math.floor(i / 50),
    workspaceId: 'ws_burst',
    apiId: 'api_burst',
    keyId: 'key_burst',
    consumerId: 'con_burst',
    code: 'VALID',
    cost: 1,
    ip: '198.51.100.7',
    tags: ['GET /sessions'],
  }));
}

/** Writes `events` in batches of 1000, one after another: events/s, and latency per batch. */
async function ingest(writer: UsageWriter, events: readonly UsageEvent[]) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH) {
    const t = performance.now();
    await writer.write({ id: randomUUID(), events: events.slice(i, i + BATCH) });
    latencies.push(performance.now() - t);
  }
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { rate: (events.length / elapsed) * 1000, p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function sqliteIngestion(dir: string, events: number): Promise<Row[]> {
  const sql = createSqliteHandle({ database: openSqliteDatabase(join(dir, 'ingest.db')) });
  await migrateSqlite(sql);
  const store = createUsageStore({ sql });
  const group = 'usage ingestion';
  const note = 'p50/p99 per batch of 1000';
  const distinct = await ingest(store, distinctEvents(events, Date.UTC(2030, 0, 1)));
  const burst = await ingest(store, burstEvents(events, Date.UTC(2030, 0, 2)));
  await store.close();
  await sql.close();
  return [
    { group, name: 'SQLite, distinct events', unit: 'events/s', ...distinct, note },
    {
      group,
      name: 'SQLite, one key at 50 events/ms',
      unit: 'events/s',
      ...burst,
      note: `${note}; runs merged`,
    },
  ];
}

/** Runs `use` on a migrated throwaway PostgreSQL database; null (with the reason) when the server is unreachable. */
async function withPostgres<T>(
  use: (sql: PostgresHandle) => Promise<T>,
): Promise<{ value: T } | { skipped: string }> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
  const database = `kw_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await admin.query(`create database "${database}"`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  const pool = createPostgresPool(url.toString());
  // The forced drop below ends connections the pool may still be closing.
  pool.on('error', () => {});
  const sql = createPostgresHandle({ pool });
  try {
    await migratePostgres(sql);
    return { value: await use(sql) };
  } finally {
    await sql.close();
    await admin.query(`drop database if exists "${database}" with (force)`);
    await admin.end();
  }
}

async function postgresIngestion(events: number): Promise<Row> {
  const group = 'usage ingestion';
  const name = 'PostgreSQL, distinct events';
  const result = await withPostgres(async (sql) => {
    const store = createUsageStore({ sql });
    const measured = await ingest(store, distinctEvents(events, Date.UTC(2030, 0, 1)));
    await store.close();
    return measured;
  });
  if ('skipped' in result) {
    return {
      group,
      name,
      unit: 'events/s',
      rate: 0,
      p50Ms: null,
      p99Ms: null,
      note: `skipped: PostgreSQL unreachable (${result.skipped})`,
    };
  }
  return { group, name, unit: 'events/s', ...result.value, note: 'p50/p99 per batch of 1000' };
}

/**
 * A verify loop that lets the event loop run every 256 calls, as a server does between
 * requests: without it the recorder's writes (timers, setImmediate) would never run
 * during the measurement and its cost would go unmeasured. Every row uses it.
 */
const yielding = (verify: () => Promise<unknown>) => {
  let calls = 0;
  const run = () =>
    ++calls % 256 === 0 ? new Promise((resolve) => setImmediate(resolve)).then(verify) : verify();
  return { run, calls: () => calls };
};

/**
 * One measurement: the wall-clock rate (what the table shows), and the process CPU time
 * per call, user + system (the recorder's writes included), which other processes on a
 * shared machine disturb far less than the rate.
 */
async function measureVerify(verify: () => Promise<unknown>, durationMs: number) {
  const loop = yielding(verify);
  const cpu = process.cpuUsage();
  const measured = await measureOps(loop.run, { durationMs });
  const used = process.cpuUsage(cpu);
  return { measured, cpuUs: (used.user + used.system) / loop.calls() };
}

interface Config {
  name: string;
  engine: Engine;
  recorder: UsageRecorder | null;
}

/**
 * In-process verification (cache hit) with usage recording off and on, in the same run:
 * the configurations alternate for three rounds and each keeps its best round (the
 * machine may be shared). "On" rows record into a real SQLite file (PostgreSQL too when
 * reachable) with the recorder's defaults, and once with larger batches. Between rounds
 * each recorder is flushed, so that no row pays for another's leftover events.
 */
async function verifyCost(durationMs: number, postgresSql: PostgresHandle | null): Promise<Row[]> {
  const ctx = await benchStore();
  const usageSql = createSqliteHandle({ database: openSqliteDatabase(join(ctx.dir, 'usage.db')) });
  await migrateSqlite(usageSql);
  const sqlite = createUsageStore({ sql: usageSql });
  const postgres = postgresSql === null ? null : createUsageStore({ sql: postgresSql });
  const recorded = (name: string, sink: UsageWriter, batchSize?: number): Config => {
    const recorder = createUsageRecorder({ sink, pruneIntervalMs: 0, ...(batchSize ? { batchSize } : {}) });
    return { name, engine: createEngine({ store: ctx.store, usage: recorder }), recorder };
  };
  const baseline = 'verifyKey cache hit, usage off';
  const configs: Config[] = [
    { name: baseline, engine: createEngine({ store: ctx.store }), recorder: null },
    recorded('verifyKey cache hit, usage on (SQLite)', sqlite),
    recorded('verifyKey cache hit, usage on (SQLite, batchSize 10 000)', sqlite, 10_000),
    ...(postgres === null ? [] : [recorded('verifyKey cache hit, usage on (PostgreSQL)', postgres)]),
  ];
  const { key } = await benchKey(ctx, configs[0]?.engine ?? createEngine({ store: ctx.store }));
  for (const { engine } of configs) {
    const check = await engine.verifyKey(key);
    if (!check.valid) throw new Error(`bench key did not verify: ${check.code}`);
  }

  const best = new Map<string, { rate: number; p50Ms: number; p99Ms: number }>();
  const cpu = new Map<string, number>();
  for (let round = 0; round < 3; round++) {
    for (const { name, engine, recorder } of configs) {
      const { measured, cpuUs } = await measureVerify(() => engine.verifyKey(key), durationMs);
      await recorder?.flush();
      if (measured.rate > (best.get(name)?.rate ?? 0)) best.set(name, measured);
      cpu.set(name, Math.min(cpu.get(name) ?? Number.POSITIVE_INFINITY, cpuUs));
    }
  }
  const group = 'verify with usage recording';
  const offCpu = cpu.get(baseline) ?? 0;
  const rows: Row[] = [];
  for (const { name, engine, recorder } of configs) {
    const measured = best.get(name) ?? { rate: 0, p50Ms: 0, p99Ms: 0 };
    const cpuUs = cpu.get(name) ?? 0;
    await recorder?.close();
    await engine.close();
    if (recorder === null) {
      rows.push({ group, name, unit: 'ops/s', ...measured, note: `${cpuUs.toFixed(2)} µs CPU per verify` });
      continue;
    }
    rows.push({
      group,
      name,
      unit: 'ops/s',
      ...measured,
      baseline,
      note:
        `${cpuUs.toFixed(2)} µs CPU per verify: recording costs ${((cpuUs / offCpu - 1) * 100).toFixed(1)}% CPU; ` +
        `${recorder.written().toLocaleString('en-US')} events written, ${recorder.dropped()} dropped`,
    });
  }
  await sqlite.close();
  await postgres?.close();
  await usageSql.close();
  await ctx.store.close();
  return rows;
}

/** Usage ingestion into SQLite and PostgreSQL, and what recording costs in-process verification (issue 5). */
export async function runUsageBench(options: UsageBenchOptions = {}): Promise<Row[]> {
  const { durationMs = 3000, events = 100_000 } = options;
  const ctx = await benchStore();
  await ctx.store.close();
  const ingestion = [...(await sqliteIngestion(ctx.dir, events)), await postgresIngestion(events)];
  const withPg = await withPostgres((sql) => verifyCost(durationMs, sql));
  const verify = 'skipped' in withPg ? await verifyCost(durationMs, null) : withPg.value;
  return [...ingestion, ...verify];
}
