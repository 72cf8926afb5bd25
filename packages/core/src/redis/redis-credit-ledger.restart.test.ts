import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CreditOwner } from '../contracts/store.js';
import { createPostgresHandle, createPostgresPool, createStore, migratePostgres } from '../store/postgres.js';
import { serviceAvailable } from '../testing/services.js';
import { T0 } from '../testing/store-conformance/fixtures.js';
import { createThrowawayDatabase } from '../testing/throwaway-postgres.js';
import { startThrowawayRedisServer } from '../testing/throwaway-redis-server.js';
import { createRedisCreditLedger } from './redis-credit-ledger.js';

// A private redis-server that is killed and restarted (nothing persisted); the shared one is never touched.
const available = (await serviceAvailable('postgres')) && (await serviceAvailable('redis'));
const RECOVERY = { timeout: 15_000, interval: 50 };

describe.runIf(available)('Redis credit ledger across a Redis restart', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  async function setup(syncIntervalMs: number) {
    const database = await createThrowawayDatabase();
    cleanups.push(() => database.drop());
    const sql = createPostgresHandle({ pool: createPostgresPool(database.url) });
    await migratePostgres(sql);
    const store = createStore(sql);
    cleanups.push(() => store.close());
    const server = await startThrowawayRedisServer();
    cleanups.push(() => server.kill());
    const redis = new Redis(server.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
    });
    redis.on('error', () => {});
    cleanups.push(async () => redis.disconnect());
    await redis.connect();
    const errors: unknown[] = [];
    const credits = createRedisCreditLedger({
      redis,
      inner: store.credits,
      syncIntervalMs,
      onError: (e) => errors.push(e),
    });
    cleanups.push(() => credits.close());
    return { store, server, redis, credits, errors };
  }

  it('refuses spends while Redis is down, then resumes from PostgreSQL, re-admitting only unsynced spends', async () => {
    const { store, server, redis, credits } = await setup(3_600_000);
    const owner: CreditOwner = { kind: 'key', id: 'key_restart' };
    await credits.set(owner, 50, null, T0);
    for (let i = 0; i < 10; i++) await credits.spend(owner, 1, T0);
    await credits.flush();
    for (let i = 0; i < 5; i++) await credits.spend(owner, 1, T0);

    await server.kill();
    await expect(credits.spend(owner, 1, T0)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'Redis is unavailable; retry later',
    });
    await server.restart();
    await vi.waitUntil(() => redis.status === 'ready', RECOVERY);

    const results = await Promise.all(Array.from({ length: 100 }, () => credits.spend(owner, 1, T0)));
    // 35 were truly left; the 5 spends not yet synced come back, nothing more.
    expect(results.filter((r) => r.ok)).toHaveLength(35 + 5);
    await credits.flush();
    await expect(store.credits.get(owner, T0)).resolves.toBe(0);
  });

  it('syncs on its timer', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { store, credits, errors } = await setup(1_000);
      const owner: CreditOwner = { kind: 'key', id: 'key_timer' };
      await credits.set(owner, 20, null, T0);
      await credits.spend(owner, 4, T0);
      await vi.advanceTimersByTimeAsync(1_000);
      await vi.waitUntil(async () => (await store.credits.get(owner, T0)) === 16, RECOVERY);
      expect(errors).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
