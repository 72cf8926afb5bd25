import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  createDigester,
  createEngine,
  generateKey,
  type KeyRecord,
  keyHint,
  type Store,
} from '@keyward/core';
import {
  createPostgresHandle,
  createPostgresPool,
  createStore as createPostgresStore,
  migratePostgres,
} from '@keyward/core/postgres';
import { createThrowawayDatabase, serviceAvailable } from '@keyward/core/testing/servers';
import { sql } from 'kysely';
import { benchStore, keyRecord, seedBench } from './fixtures.js';
import { measureOps, type Row } from './harness.js';

export interface KeyScaleBenchOptions {
  /** Store sizes compared (the first is the baseline). Default 1,000 and 1,000,000. */
  sizes?: readonly number[];
  /** Keys verified in turn in each measurement (real plaintexts among the store's keys). Default 2,000. */
  samples?: number;
  /** Milliseconds of each latency measurement. Default 3000. */
  durationMs?: number;
  /** Keys verified to fill the cache for the memory row. Default 100,000. */
  cachedKeys?: number;
  /** Distinct unknown keys streamed through an engine with `unknownCacheMax` entries. Default 200,000 and 50,000. */
  unknownKeys?: number;
  unknownCacheMax?: number;
}

interface Backend {
  name: string;
  open(): Promise<{
    ctx: { store: Store; workspaceId: string; apiId: string };
    /** Refreshes the planner's statistics after a bulk load (PostgreSQL); nothing on SQLite. */
    analyze(): Promise<void>;
    close(): Promise<void>;
  }>;
}

const FILLER_BATCH = 5_000;

/** Fills the store with `count` keys: `samples` with known plaintexts, the rest digests of nothing. */
async function fill(
  ctx: { store: Store; workspaceId: string; apiId: string },
  count: number,
  samples: number,
): Promise<string[]> {
  const { digest } = createDigester({});
  const plaintexts = Array.from({ length: Math.min(samples, count) }, () => generateKey('bench'));
  const sampleRecords = plaintexts.map((key) => keyRecord(ctx, { digest: digest(key), hint: keyHint(key) }));
  for (let i = 0; i < sampleRecords.length; i += FILLER_BATCH) {
    await ctx.store.keys.createMany(sampleRecords.slice(i, i + FILLER_BATCH));
  }
  for (let done = plaintexts.length; done < count; done += FILLER_BATCH) {
    const batch: KeyRecord[] = [];
    for (let i = 0; i < Math.min(FILLER_BATCH, count - done); i++) {
      batch.push(keyRecord(ctx, { digest: randomBytes(32).toString('hex'), hint: 'bench_filler' }));
    }
    await ctx.store.keys.createMany(batch);
  }
  return plaintexts;
}

const roundRobin = (keys: readonly string[], verify: (key: string) => Promise<unknown>) => {
  let next = 0;
  return () => {
    next = (next + 1) % keys.length;
    return verify(keys[next] as string);
  };
};

/** Collects garbage (the bench runs without --expose-gc) and reads the RSS. */
function settledRss(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().rss;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/**
 * Issue 13 item 4: verification latency with 1,000 and 1,000,000 keys in the store, on a
 * cache miss and a cache hit, on SQLite and PostgreSQL (keys bulk-loaded through
 * `store.keys.createMany`); the memory of 100,000 cached keys; and a stream of distinct
 * unknown keys through a small cache, showing that neither cache grows past its bound.
 */
export async function runKeyScaleBench({
  sizes = [1_000, 1_000_000],
  samples = 2_000,
  durationMs = 3_000,
  cachedKeys = 100_000,
  unknownKeys = 200_000,
  unknownCacheMax = 50_000,
}: KeyScaleBenchOptions = {}): Promise<Row[]> {
  const backends: Backend[] = [
    {
      name: 'SQLite file',
      async open() {
        const ctx = await benchStore();
        return {
          ctx,
          analyze: async () => {},
          close: async () => {
            await ctx.store.close();
            rmSync(ctx.dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  if (await serviceAvailable('postgres')) {
    backends.push({
      name: 'PostgreSQL',
      async open() {
        const database = await createThrowawayDatabase();
        const handle = createPostgresHandle({ pool: createPostgresPool(database.url) });
        await migratePostgres(handle);
        const ctx = await seedBench(createPostgresStore(handle));
        return {
          ctx,
          // Fresh statistics after the bulk load, so the planner sees a million rows.
          analyze: async () => {
            await sql`analyze`.execute(handle.db);
          },
          close: async () => {
            await ctx.store.close();
            await database.drop();
          },
        };
      },
    });
  }
  const rows: Row[] = [];
  for (const backend of backends) {
    const base = new Map<string, { name: string; p99Ms: number }>();
    for (const size of sizes) {
      const { ctx, analyze, close } = await backend.open();
      try {
        const started = performance.now();
        const keys = await fill(ctx, size, samples);
        const loadSec = (performance.now() - started) / 1000;
        await analyze();
        for (const mode of ['cache miss', 'cache hit'] as const) {
          const group = `keys in the store: in-process verify, ${mode}, ${backend.name}`;
          const engine = createEngine({
            store: ctx.store,
            ...(mode === 'cache miss' ? { cacheTtlMs: 0 } : {}),
          });
          for (const key of keys) {
            const result = await engine.verifyKey(key);
            if (!result.valid) throw new Error(`bench key did not verify: ${result.code}`);
          }
          const measured = await measureOps(roundRobin(keys, engine.verifyKey), {
            durationMs,
            sampleEvery: 1,
          });
          await engine.close();
          const name = `${size.toLocaleString('en-US')} keys`;
          const first = base.get(mode);
          const note = [
            `${keys.length.toLocaleString('en-US')} keys verified in turn`,
            `loaded in ${loadSec.toFixed(1)} s`,
            first === undefined
              ? ''
              : `p99 ${(measured.p99Ms / first.p99Ms).toFixed(2)}× of ${first.name} (aim ≤ 1.5×)`,
          ]
            .filter(Boolean)
            .join('; ');
          rows.push({
            group,
            name,
            unit: 'ops/s',
            ...measured,
            note,
            ...(first === undefined ? {} : { baseline: first.name }),
          });
          if (first === undefined) base.set(mode, { name, p99Ms: measured.p99Ms });
        }
      } finally {
        await close();
      }
    }
  }

  // Memory: RSS of a full cache, and of a stream of unknown keys through a bounded one.
  {
    const sqlite = backends[0];
    if (sqlite === undefined) throw new Error('no backend');
    const { ctx, close } = await sqlite.open();
    try {
      const keys = await fill(ctx, cachedKeys, cachedKeys);
      const engine = createEngine({ store: ctx.store, cacheMaxEntries: cachedKeys });
      const before = settledRss();
      for (const key of keys) await engine.verifyKey(key);
      const after = settledRss();
      const stats = engine.stats?.();
      await engine.close();
      const group = 'keys in the store: memory (SQLite file)';
      rows.push({
        group,
        name: `${cachedKeys.toLocaleString('en-US')} keys cached`,
        unit: 'ops/s',
        rate: 0,
        p50Ms: null,
        p99Ms: null,
        note: `RSS ${mib(before)} → ${mib(after)}: ${((after - before) / cachedKeys / 1024).toFixed(2)} KiB per cached key; ${stats?.cacheMisses ?? '?'} misses`,
      });
      const small = createEngine({ store: ctx.store, cacheMaxEntries: unknownCacheMax });
      const readings: string[] = [];
      const start = settledRss();
      const quarter = Math.floor(unknownKeys / 4);
      for (let i = 1; i <= unknownKeys; i++) {
        await small.verifyKey(generateKey('bench'));
        if (i % quarter === 0) readings.push(mib(settledRss()));
      }
      await small.close();
      rows.push({
        group,
        name: `${unknownKeys.toLocaleString('en-US')} distinct unknown keys, cacheMaxEntries ${unknownCacheMax.toLocaleString('en-US')}`,
        unit: 'ops/s',
        rate: 0,
        p50Ms: null,
        p99Ms: null,
        note: `RSS ${mib(start)}, then after each quarter of the stream: ${readings.join(', ')} (bounded: the negative entries share the LRU)`,
      });
    } finally {
      await close();
    }
  }
  return rows;
}
