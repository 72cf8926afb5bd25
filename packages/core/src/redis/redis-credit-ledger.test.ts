import fc from 'fast-check';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreditsConfig } from '../contracts/model.js';
import type { CreditLedger, CreditOwner, DurableCreditLedger, Store } from '../contracts/store.js';
import { applyRefill } from '../decisions/quota.js';
import type { FlushingCreditLedger } from '../memory/cached-credit-ledger.js';
import { createPostgresHandle, createPostgresPool, createStore, migratePostgres } from '../store/postgres.js';
import { deleteRedisPrefix } from '../testing/redis-prefix.js';
import { REDIS_URL, serviceAvailable, uniqueName } from '../testing/services.js';
import { describeCreditCases } from '../testing/store-conformance/credits.conformance.js';
import { T0 } from '../testing/store-conformance/fixtures.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../testing/throwaway-postgres.js';
import { withDurableReads } from './durable-reads.js';
import { createRedisCreditLedger, type RedisCreditLedgerOptions } from './redis-credit-ledger.js';

const available = (await serviceAvailable('postgres')) && (await serviceAvailable('redis'));

const newOwner = (): CreditOwner => ({ kind: 'consumer', id: uniqueName('con') });
const admitted = (results: ReadonlyArray<{ ok: boolean }>) => results.filter((r) => r.ok).length;

describe.runIf(available)('Redis credit ledger over PostgreSQL', () => {
  let database: ThrowawayDatabase;
  /** Two nodes: each its own PostgreSQL pool and Redis connection. */
  const nodes: Array<{ store: Store; inner: DurableCreditLedger; redis: Redis; reads: { count: number } }> =
    [];
  let readPool: pg.Pool;
  let keyPrefix: string;
  const ledgers: FlushingCreditLedger[] = [];

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    readPool = createPostgresPool(database.url, { max: 4 });
    const migration = createPostgresHandle({ pool: createPostgresPool(database.url, { max: 1 }) });
    await migratePostgres(migration);
    await migration.close();
    for (let i = 0; i < 2; i++) {
      const store = createStore(createPostgresHandle({ pool: createPostgresPool(database.url, { max: 5 }) }));
      const base = store.credits;
      const reads = { count: 0 };
      const read = base.read as NonNullable<CreditLedger['read']>;
      const inner: DurableCreditLedger = {
        ...base,
        read: (o) => {
          reads.count++;
          return read(o);
        },
      };
      nodes.push({ store, inner, redis: new Redis(REDIS_URL, { enableOfflineQueue: true }), reads });
    }
  });
  afterAll(async () => {
    for (const { store, redis } of nodes) {
      await store.close();
      await redis.quit();
    }
    await readPool?.end();
    await database?.drop();
  });
  beforeEach(() => {
    keyPrefix = `${uniqueName('kw:test:cr')}:`;
    for (const node of nodes) node.reads.count = 0;
  });
  afterEach(async () => {
    for (const ledger of ledgers.splice(0)) await ledger.close().catch(() => {});
    await deleteRedisPrefix(nodes[0]?.redis as Redis, keyPrefix);
  });

  /** A ledger on node `i` (0 or 1), syncing only when told. */
  const ledger = (i: number, over: Partial<RedisCreditLedgerOptions> = {}): FlushingCreditLedger => {
    const node = nodes[i] as (typeof nodes)[number];
    const created = createRedisCreditLedger({
      redis: node.redis,
      inner: node.inner,
      keyPrefix,
      syncIntervalMs: 3_600_000,
      ...over,
    });
    ledgers.push(created);
    return created;
  };
  const pgStore = (): Store => (nodes[0] as (typeof nodes)[number]).store;

  describe('the CreditLedger contract', () => {
    let credits: FlushingCreditLedger | null = null;
    beforeEach(async () => {
      await readPool.query('truncate credits');
      credits = ledger(0);
    });
    describeCreditCases(() => {
      if (credits === null) throw new Error('only inside a test');
      return { ...pgStore(), credits };
    });
  });

  // As start-up wires it: reads fall back to the database while Redis is down.
  describe('the CreditLedger contract, with durable reads', () => {
    let credits: CreditLedger | null = null;
    beforeEach(async () => {
      await readPool.query('truncate credits');
      credits = withDurableReads(ledger(0), pgStore().credits);
    });
    describeCreditCases(() => {
      if (credits === null) throw new Error('only inside a test');
      return { ...pgStore(), credits };
    });
  });

  it('reload: a balance a transaction committed replaces the Redis copy, for every node', async () => {
    const owner = newOwner();
    const [a, b] = [ledger(0), ledger(1)];
    await a.set(owner, 10, null, T0);
    await a.spend(owner, 1, T0);
    await pgStore().transaction((tx) => tx.credits.set(owner, 3, null, T0 + 10));
    // Until told, Redis holds the old balance.
    await expect(b.spend(owner, 0, T0 + 10)).resolves.toEqual({ ok: true, remaining: 9 });
    await a.reload(owner);
    await expect(b.spend(owner, 1, T0 + 20)).resolves.toEqual({ ok: true, remaining: 2 });
    await Promise.all([a.flush(), b.flush()]);
    // The spend of the replaced balance is not written onto the new one.
    await expect(pgStore().credits.get(owner, T0 + 20)).resolves.toBe(2);
  });

  it('admits exactly the balance to 500 concurrent spends over two nodes, loading it once per node', async () => {
    const owner = newOwner();
    await pgStore().credits.set(owner, 100, null, T0);
    const [a, b] = [ledger(0), ledger(1)];
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => (i % 2 ? a : b).spend(owner, 1, T0)),
    );
    expect(admitted(results)).toBe(100);
    expect(results.every((r) => r.remaining >= 0)).toBe(true);
    expect(nodes.map((n) => n.reads.count).every((count) => count <= 1)).toBe(true);
    await expect(a.get(owner, T0)).resolves.toBe(0);
    await expect(pgStore().credits.get(owner, T0)).resolves.toBe(100);
    await Promise.all([a.flush(), b.flush()]);
    await expect(pgStore().credits.get(owner, T0)).resolves.toBe(0);
  });

  it('re-admits after a Redis loss at most the spends that were not synced yet', async () => {
    const owner = newOwner();
    const [a, b] = [ledger(0), ledger(1)];
    await a.set(owner, 100, null, T0);
    for (let i = 0; i < 30; i++) await a.spend(owner, 1, T0);
    for (let i = 0; i < 20; i++) await b.spend(owner, 1, T0);
    await a.flush();
    const unsynced = 20;
    await expect(pgStore().credits.get(owner, T0)).resolves.toBe(70);

    await deleteRedisPrefix(nodes[0]?.redis as Redis, keyPrefix); // Redis loses every balance
    const after = await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).spend(owner, 1, T0)),
    );
    const total = 30 + 20 + admitted(after);
    expect(total - 100).toBeLessThanOrEqual(unsynced);
    expect(total).toBe(100 + unsynced); // reloaded from PostgreSQL's 70, nothing more

    await Promise.all([a.flush(), b.flush()]);
    await expect(pgStore().credits.get(owner, T0)).resolves.toBe(0); // clamped, never below zero
    await deleteRedisPrefix(nodes[0]?.redis as Redis, keyPrefix);
    await expect(b.spend(owner, 1, T0)).resolves.toEqual({ ok: false, remaining: 0 });
  });

  it('lets a set on one node replace the balance and the other node’s earlier spends', async () => {
    const owner = newOwner();
    const [a, b] = [ledger(0), ledger(1)];
    await a.set(owner, 100, null, T0);
    await a.spend(owner, 10, T0 + 1);
    await b.set(owner, 50, null, T0 + 2);
    await expect(a.spend(owner, 5, T0 + 3)).resolves.toEqual({ ok: true, remaining: 45 });
    await a.flush();
    await expect(pgStore().credits.get(owner, T0 + 3)).resolves.toBe(45);
    await expect(b.get(owner, T0 + 3)).resolves.toBe(45);
  });

  it('spends from the refill Lua computes exactly as applyRefill does, on random schedules', async () => {
    const node = nodes[0] as (typeof nodes)[number];
    const credits = ledger(0);
    const DAY = 86_400_000;
    const config = fc.oneof(
      fc.record({ interval: fc.constant<'daily'>('daily'), amount: fc.nat(50) }),
      fc.record({
        interval: fc.constant<'monthly'>('monthly'),
        amount: fc.nat(50),
        day: fc.integer({ min: 1, max: 31 }),
      }),
      fc.record({ interval: fc.constant<'monthly'>('monthly'), amount: fc.nat(50) }),
      fc.record({ interval: fc.integer({ min: 1, max: 40 * DAY }), amount: fc.nat(50) }),
    );
    const step = fc.record({
      dt: fc.oneof(fc.nat(5_000), fc.nat(3 * DAY), fc.nat(70 * DAY)),
      cost: fc.nat(12),
    });
    const start = fc.integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2031, 0, 1) });
    await fc.assert(
      fc.asyncProperty(
        config,
        fc.nat(40),
        start,
        fc.array(step, { minLength: 1, maxLength: 25 }),
        async (refill, remaining, t0, steps) => {
          const owner = newOwner();
          const cfg: CreditsConfig = { refill };
          await credits.set(owner, remaining, cfg, t0);
          let model = { balance: remaining, lastRefillAt: t0 };
          let now = t0;
          for (const { dt, cost } of steps) {
            now += dt;
            model = applyRefill(cfg, model.balance, model.lastRefillAt, now);
            const ok = model.balance >= cost;
            if (ok) model.balance -= cost;
            await expect(credits.spend(owner, cost, now)).resolves.toEqual({ ok, remaining: model.balance });
            const stored = await node.redis.hget(`${keyPrefix}{consumer:${owner.id}}`, 'l');
            expect(Number(stored)).toBe(model.lastRefillAt);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives refunds back in Redis and nets them out of the sync', async () => {
    const owner = newOwner();
    const a = ledger(0);
    await a.set(owner, 10, null, T0);
    await a.spend(owner, 6, T0);
    await a.refund(owner, 6, T0);
    await a.spend(owner, 1, T0);
    await expect(a.get(owner, T0)).resolves.toBe(9);
    await a.flush();
    await expect(pgStore().credits.get(owner, T0)).resolves.toBe(9);
  });

  it('keeps the credits of a failed sync and writes them once PostgreSQL answers', async () => {
    const owner = newOwner();
    const node = nodes[0] as (typeof nodes)[number];
    let failing = false;
    const inner: DurableCreditLedger = {
      ...node.inner,
      spend: (o, cost, now) =>
        failing ? Promise.reject(new Error('connection terminated')) : node.inner.spend(o, cost, now),
    };
    const a = ledger(0, { inner });
    await a.set(owner, 10, null, T0);
    await a.spend(owner, 3, T0);
    failing = true;
    await expect(a.flush()).rejects.toThrow('connection terminated');
    await expect(pgStore().credits.get(owner, T0)).resolves.toBe(10);
    failing = false;
    await a.flush();
    await expect(pgStore().credits.get(owner, T0)).resolves.toBe(7);
  });

  it('treats an owner without a balance as unlimited until a set, and expires idle balances', async () => {
    const owner = newOwner();
    const [a, b] = [ledger(0), ledger(1, { idleTtlMs: 60_000 })];
    await expect(a.spend(owner, 5, T0)).resolves.toEqual({ ok: true, remaining: Number.POSITIVE_INFINITY });
    await expect(b.get(owner, T0)).resolves.toBeNull();
    await a.set(owner, 2, null, T0);
    await expect(b.spend(owner, 3, T0)).resolves.toEqual({ ok: false, remaining: 2 });
    const ttl = await nodes[1]?.redis.pttl(`${keyPrefix}{consumer:${owner.id}}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await a.set(owner, null, null, T0);
    await expect(b.spend(owner, 3, T0)).resolves.toEqual({ ok: true, remaining: Number.POSITIVE_INFINITY });
    await expect(a.close()).resolves.toBeUndefined();
    await expect(a.spend(owner, 1, T0)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
