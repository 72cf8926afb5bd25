import { createEngine, createResilientCounterStore } from '@keyward/core';
import {
  createPostgresHandle,
  createPostgresPool,
  createStore,
  migratePostgres,
} from '@keyward/core/postgres';
import { createRedisCounterStore } from '@keyward/core/redis';
import {
  createThrowawayDatabase,
  POSTGRES_URL,
  REDIS_URL,
  serviceAvailable,
  uniqueName,
} from '@keyward/core/testing/servers';
import { importWarmKeys, measureRevocation, percentile, startCluster } from '@keyward/server/testing';
import { Redis } from 'ioredis';
import { benchKey, benchStore, seedBench } from './fixtures.js';
import { measureHttp, measureOps, type Row } from './harness.js';

export interface ScaleBenchOptions {
  /** Milliseconds each in-process row is measured. Default 3000. */
  durationMs?: number;
  /** Seconds each HTTP row is measured. Default 10. */
  durationSec?: number;
  /** Keep-alive connections of the load generator, spread evenly over the nodes. Default 30. */
  connections?: number;
  /** Revocation trials. Default 200. */
  trials?: number;
  /** Alternating one-node / three-node rounds. Default 3. */
  rounds?: number;
}

/** A limit so large that the rows measure the cost of counting, never a refusal. */
const HUGE_LIMIT = { name: 'requests', limit: 1e12, duration: 60_000, algorithm: 'sliding_window' as const };

/** In-process: a verification that always misses the cache, on SQLite and on PostgreSQL. */
async function cacheMissRows(durationMs: number): Promise<Row[]> {
  const database = await createThrowawayDatabase();
  const sql = createPostgresHandle({ pool: createPostgresPool(database.url) });
  const sqlite = await benchStore();
  try {
    await migratePostgres(sql);
    const postgres = await seedBench(createStore(sql));
    const engines = [
      createEngine({ store: sqlite.store, cacheTtlMs: 0 }),
      createEngine({ store: postgres.store, cacheTtlMs: 0 }),
    ];
    const [onSqlite, onPostgres] = engines;
    if (onSqlite === undefined || onPostgres === undefined) throw new Error('unreachable');
    const sqliteKey = await benchKey(sqlite, onSqlite);
    const postgresKey = await benchKey(postgres, onPostgres);
    const sqliteMiss = await measureOps(() => onSqlite.verifyKey(sqliteKey.key), { durationMs });
    const postgresMiss = await measureOps(() => onPostgres.verifyKey(postgresKey.key), { durationMs });
    await Promise.all(engines.map((engine) => engine.close()));
    const group = 'scale: in-process verify, cache miss (cacheTtlMs 0)';
    const base = 'cache miss, SQLite file';
    return [
      { group, name: base, unit: 'ops/s', ...sqliteMiss },
      {
        group,
        name: 'cache miss, PostgreSQL (loopback)',
        unit: 'ops/s',
        ...postgresMiss,
        baseline: base,
        note: 'one caller, so one lookup in flight: latency-bound',
      },
    ];
  } finally {
    await sqlite.store.close();
    await sql.close().catch(() => {});
    await database.drop();
  }
}

/** In-process: a cached key with one rate limit, counted in memory and in Redis. */
async function limiterRows(durationMs: number): Promise<Row[]> {
  const ctx = await benchStore();
  const redis = new Redis(REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
  await redis.connect();
  const keyPrefix = `${uniqueName('kw_bench')}:rl:`;
  const counters = createResilientCounterStore({
    inner: createRedisCounterStore({ redis, keyPrefix }),
    failMode: 'closed',
    timeoutMs: 200,
  });
  const memory = createEngine({ store: ctx.store });
  const shared = createEngine({ store: ctx.store, counters });
  try {
    const { key } = await benchKey(ctx, memory, { ratelimits: [HUGE_LIMIT] });
    const inMemory = await measureOps(() => memory.verifyKey(key), { durationMs });
    const inRedis = await measureOps(() => shared.verifyKey(key), { durationMs });
    const group = 'scale: in-process verify, one rate limit (cache hit)';
    const base = 'memory counters';
    return [
      { group, name: base, unit: 'ops/s', ...inMemory },
      {
        group,
        name: 'Redis counters (one Lua script per verification)',
        unit: 'ops/s',
        ...inRedis,
        baseline: base,
        note: 'one caller, one round trip in flight',
      },
    ];
  } finally {
    await Promise.all([memory.close(), shared.close()]);
    await counters.close();
    for await (const keys of redis.scanStream({ match: `${keyPrefix}*` })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
    redis.disconnect();
    await ctx.store.close();
  }
}

type HttpResult = Awaited<ReturnType<typeof measureHttp>>;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** The median round by rate, and the non-2xx answers of all rounds. */
const medianRound = (rounds: HttpResult[]): HttpResult => {
  const middle = median(rounds.map((r) => r.rate));
  const chosen = rounds.find((r) => r.rate === middle) ?? rounds[0];
  if (chosen === undefined) throw new Error('no rounds');
  return { ...chosen, non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0) };
};

/** autocannon on `POST /v1/keys/verify` of a cached key, `connections` spread evenly over `urls`, run at once. */
async function verifyLoad(
  urls: readonly string[],
  request: { headers: Record<string, string>; body: string },
  connections: number,
  durationSec: number,
): Promise<HttpResult> {
  const perNode = Math.max(1, Math.round(connections / urls.length));
  const results = await Promise.all(
    urls.map((url) =>
      measureHttp({
        ...request,
        method: 'POST',
        url: `${url}/v1/keys/verify`,
        connections: perNode,
        durationSec,
      }),
    ),
  );
  return {
    rate: results.reduce((sum, r) => sum + r.rate, 0),
    // The slowest node's percentiles: conservative for the whole.
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

/**
 * Real `keyward serve` processes on PostgreSQL + Redis: the same three nodes loaded through
 * one of them, then through all three, alternating for `rounds` rounds (the median round
 * of each is reported: a shared machine is noisy), then revocation propagation.
 */
async function clusterRows(
  durationSec: number,
  connections: number,
  trials: number,
  rounds: number,
): Promise<Row[]> {
  const database = await createThrowawayDatabase();
  const cluster = await startCluster({ size: 3, databaseUrl: database.url, redisUrl: REDIS_URL }).catch(
    async (error: unknown) => {
      await database.drop();
      throw error;
    },
  );
  try {
    const first = cluster.http[0];
    if (first === undefined) throw new Error('empty cluster');
    const api = await first.createApi();
    const created = await first.request('POST', '/v1/keys', { apiId: api.id });
    const request = {
      headers: { authorization: `Bearer ${cluster.rootKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: created.body.key }),
    };
    const all = cluster.http.map((node) => node.url);
    await verifyLoad(all, request, connections, 2);
    const one: HttpResult[] = [];
    const three: HttpResult[] = [];
    for (let round = 0; round < rounds; round++) {
      one.push(await verifyLoad([first.url], request, connections, durationSec));
      three.push(await verifyLoad(all, request, connections, durationSec));
    }
    const single = medianRound(one);
    const spread = medianRound(three);

    const keys = await importWarmKeys(cluster, await first.createApi(), trials);
    const started = performance.now();
    const { fromAck, fromSend } = await measureRevocation(cluster, keys);
    const elapsedSec = (performance.now() - started) / 1000;
    const ack = [...fromAck].sort((a, b) => a - b);
    const send = [...fromSend].sort((a, b) => a - b);
    const group = 'scale: HTTP verify, keyward processes on PostgreSQL + Redis (this machine)';
    const base = '1 node';
    const note = (non2xx: number) => (non2xx > 0 ? `; ${non2xx} non-2xx` : '');
    const how = `${connections} connections, median of ${rounds} alternating ${durationSec}-s rounds`;
    return [
      { group, name: base, unit: 'req/s', ...single, note: `${how}${note(single.non2xx)}` },
      {
        group,
        name: '3 nodes',
        unit: 'req/s',
        ...spread,
        baseline: base,
        note: `same connections spread over the nodes, same CPUs${note(spread.non2xx)}`,
      },
      {
        group: 'scale: revocation propagation (3 nodes, Redis pub/sub)',
        name: `revoke on one node → REVOKED on both others, ${trials} trials`,
        unit: 'events/s',
        rate: trials / elapsedSec,
        p50Ms: percentile(ack, 0.5),
        p99Ms: percentile(ack, 0.99),
        note: `ms after the revoke's ack; from sending it: p50 ${percentile(send, 0.5).toFixed(1)}, p99 ${percentile(send, 0.99).toFixed(1)}`,
      },
    ];
  } finally {
    await cluster.stop();
    await database.drop();
  }
}

/**
 * Issue 4's rows: cache-miss verification on PostgreSQL, verification with the Redis limiter,
 * one keyward node against three (same run, same machine) and the revocation-propagation
 * distribution. Needs the PostgreSQL and Redis of `KEYWARD_TEST_DATABASE_URL` /
 * `KEYWARD_TEST_REDIS_URL` (default: the local ones).
 */
export async function runScaleBench(options: ScaleBenchOptions = {}): Promise<Row[]> {
  const { durationMs = 3000, durationSec = 10, connections = 30, trials = 200, rounds = 3 } = options;
  if (!(await serviceAvailable('postgres')) || !(await serviceAvailable('redis'))) {
    throw new Error(`the scale benchmark needs PostgreSQL (${new URL(POSTGRES_URL).host}) and Redis`);
  }
  return [
    ...(await cacheMissRows(durationMs)),
    ...(await limiterRows(durationMs)),
    ...(await clusterRows(durationSec, connections, trials, rounds)),
  ];
}
