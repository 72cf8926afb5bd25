import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CreditsConfig } from '../contracts/model.js';
import type { CreditOwner, DurableCreditLedger, Store } from '../contracts/store.js';
import { applyRefill } from '../decisions/quota.js';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { uniqueName } from '../testing/services.js';
import { describeCreditCases } from '../testing/store-conformance/credits.conformance.js';
import { T0 } from '../testing/store-conformance/fixtures.js';
import { createCachedCreditLedger, type FlushingCreditLedger } from './cached-credit-ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-credits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const owner: CreditOwner = { kind: 'key', id: 'key_cached' };

/** Counts the calls that reach the inner ledger, and fails its writes while `failing`. */
function instrument(inner: DurableCreditLedger) {
  const calls = { read: 0, spend: 0, set: 0 };
  const control = { failing: false };
  const ledger: DurableCreditLedger = {
    ...inner,
    read: (o) => {
      calls.read++;
      return (inner.read as NonNullable<DurableCreditLedger['read']>)(o);
    },
    spend: (o, cost, now) => {
      calls.spend++;
      return control.failing ? Promise.reject(new Error('disk I/O error')) : inner.spend(o, cost, now);
    },
    set: (o, remaining, config, now) => {
      calls.set++;
      return inner.set(o, remaining, config, now);
    },
  };
  return { ledger, calls, control };
}

async function sqlite(path = ':memory:') {
  const sql = createSqliteHandle({ database: openSqliteDatabase(path) });
  await migrateSqlite(sql);
  const store = createStore(sql);
  return { store, inner: store.credits };
}

describe('cached credit ledger: the CreditLedger contract', () => {
  let current: { store: Store; credits: FlushingCreditLedger } | null = null;
  beforeEach(async () => {
    const { store, inner } = await sqlite();
    current = { store, credits: createCachedCreditLedger({ inner }) };
  });
  afterEach(async () => {
    await current?.credits.close();
    await current?.store.close();
  });
  describeCreditCases(() => {
    if (current === null) throw new Error('only inside a test');
    return { ...current.store, credits: current.credits };
  });
});

describe('cached credit ledger on SQLite', () => {
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of open.splice(0)) await close().catch(() => {});
  });
  async function setup(path?: string) {
    const { store, inner: raw } = await sqlite(path);
    const { ledger: inner, calls, control } = instrument(raw);
    const credits = createCachedCreditLedger({ inner, flushIntervalMs: 3_600_000 });
    open.push(
      () => credits.close(),
      () => store.close(),
    );
    return { store, raw, credits, calls, control };
  }

  it('admits exactly the balance under 1000 concurrent spends, with one load and one write', async () => {
    const { store, credits, calls } = await setup();
    await store.credits.set(owner, 300, null, T0);
    const results = await Promise.all(Array.from({ length: 1000 }, () => credits.spend(owner, 1, T0)));
    expect(results.filter((r) => r.ok)).toHaveLength(300);
    expect(new Set(results.filter((r) => r.ok).map((r) => r.remaining)).size).toBe(300);
    expect(results.every((r) => r.remaining >= 0)).toBe(true);
    expect(calls).toEqual({ read: 1, spend: 0, set: 0 });
    await expect(store.credits.get(owner, T0)).resolves.toBe(300);
    await credits.flush();
    expect(calls.spend).toBe(1);
    await expect(store.credits.get(owner, T0)).resolves.toBe(0);
  });

  it('applies refills like applyRefill, and drops the spends a refill replaced', async () => {
    const { store, raw, credits, calls } = await setup();
    const config: CreditsConfig = { refill: { interval: 1_000, amount: 10 } };
    await credits.set(owner, 3, config, T0);
    await expect(Promise.resolve(credits.spend(owner, 3, T0 + 500))).resolves.toEqual({
      ok: true,
      remaining: 0,
    });
    await expect(Promise.resolve(credits.spend(owner, 1, T0 + 999))).resolves.toEqual({
      ok: false,
      remaining: 0,
    });
    const due = applyRefill(config, 0, T0, T0 + 1_000);
    await expect(Promise.resolve(credits.spend(owner, 1, T0 + 1_000))).resolves.toEqual({
      ok: true,
      remaining: due.balance - 1,
    });
    await credits.flush();
    expect(calls.spend).toBe(1);
    await expect(store.credits.get(owner, T0 + 1_000)).resolves.toBe(due.balance - 1);
    await expect((raw.read as NonNullable<DurableCreditLedger['read']>)(owner)).resolves.toMatchObject({
      lastRefillAt: due.lastRefillAt,
    });
  });

  it('writes back exactly what a model of the ledger holds, over random schedules', async () => {
    const configs: CreditsConfig[] = [
      { refill: null },
      { refill: { interval: 700, amount: 5 } },
      { refill: { interval: 'daily', amount: 20 } },
      { refill: { interval: 'monthly', day: 31, amount: 50 } },
    ];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('spend' as const),
        dt: fc.integer({ min: 0, max: 40 * 86_400_000 }),
        cost: fc.nat(8),
      }),
      fc.record({ kind: fc.constant('refund' as const), amount: fc.nat(4) }),
      fc.record({ kind: fc.constant('flush' as const) }),
    );
    const { store, credits } = await setup();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...configs),
        fc.nat(60),
        fc.array(op, { maxLength: 25 }),
        async (config, start, ops) => {
          const o: CreditOwner = { kind: 'consumer', id: uniqueName('con') };
          let now = T0;
          await credits.set(o, start, config, now);
          let model = { balance: start, lastRefillAt: now };
          for (const step of ops) {
            if (step.kind === 'flush') await credits.flush();
            else if (step.kind === 'refund') {
              await credits.refund(o, step.amount, now);
              model.balance += step.amount;
            } else {
              now += step.dt;
              model = applyRefill(config, model.balance, model.lastRefillAt, now);
              const ok = model.balance >= step.cost;
              if (ok) model.balance -= step.cost;
              await expect(Promise.resolve(credits.spend(o, step.cost, now))).resolves.toEqual({
                ok,
                remaining: model.balance,
              });
            }
          }
          await credits.flush();
          await expect(store.credits.get(o, now)).resolves.toBe(
            applyRefill(config, model.balance, model.lastRefillAt, now).balance,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lets a set replace the balance and the spends pending before it, even during a flush', async () => {
    const { store, credits } = await setup();
    await credits.set(owner, 50, null, T0);
    await credits.spend(owner, 3, T0);
    await credits.set(owner, 100, null, T0 + 10);
    await credits.spend(owner, 2, T0 + 20);
    await credits.flush();
    await expect(store.credits.get(owner, T0 + 20)).resolves.toBe(98);

    await credits.spend(owner, 8, T0 + 30);
    const flushing = credits.flush();
    const setting = credits.set(owner, 40, null, T0 + 40);
    await Promise.all([flushing, setting]);
    await expect(store.credits.get(owner, T0 + 40)).resolves.toBe(40);
    await expect(credits.get(owner, T0 + 40)).resolves.toBe(40);
  });

  it('reload: a balance a transaction committed replaces the cached one and its pending spends', async () => {
    const { store, credits } = await setup();
    await credits.set(owner, 10, null, T0);
    await credits.spend(owner, 1, T0);
    await store.transaction((tx) => tx.credits.set(owner, 3, null, T0 + 10));
    // Until told, the ledger spends from its copy (what reload is for).
    await expect(Promise.resolve(credits.spend(owner, 0, T0 + 10))).resolves.toEqual({
      ok: true,
      remaining: 9,
    });
    await credits.reload(owner);
    await expect(Promise.resolve(credits.spend(owner, 1, T0 + 20))).resolves.toEqual({
      ok: true,
      remaining: 2,
    });
    await credits.flush();
    // The spend before the set belonged to the replaced balance: not written back onto the new one.
    await expect(store.credits.get(owner, T0 + 20)).resolves.toBe(2);
  });

  it('reload: a load that read before the commit reads again', async () => {
    const { store, inner: raw } = await sqlite();
    const other = { kind: 'consumer' as const, id: 'con_race' };
    await raw.set(other, 10, null, T0);
    // The first read returns only once the set is committed and the ledger told.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reads = 0;
    const read = raw.read as NonNullable<DurableCreditLedger['read']>;
    const credits = createCachedCreditLedger({
      inner: {
        ...raw,
        read: async (o) => {
          const row = await read(o);
          if (reads++ === 0) await gate;
          return row;
        },
      },
      flushIntervalMs: 3_600_000,
    });
    const spending = Promise.resolve(credits.spend(other, 1, T0 + 10));
    await vi.waitFor(() => expect(reads).toBe(1));
    await store.transaction((tx) => tx.credits.set(other, 5, null, T0 + 5));
    await credits.reload(other);
    release();
    await expect(spending).resolves.toEqual({ ok: true, remaining: 4 });
    expect(reads).toBe(2);
    await credits.close();
    await store.close();
  });

  it('writes pending spends on close, and refuses calls after it', async () => {
    const { store, credits } = await setup();
    await credits.set(owner, 10, null, T0);
    await credits.spend(owner, 4, T0);
    await credits.close();
    await expect(store.credits.get(owner, T0)).resolves.toBe(6);
    await expect(Promise.resolve(credits.spend(owner, 1, T0))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(credits.set(owner, 1, null, T0)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('keeps the credits of a failed flush and writes them once the database is back', async () => {
    const { store, credits, control } = await setup();
    await credits.set(owner, 20, null, T0);
    await credits.spend(owner, 5, T0);
    control.failing = true;
    await expect(credits.flush()).rejects.toThrow('disk I/O error');
    await credits.spend(owner, 2, T0);
    await expect(Promise.resolve(credits.spend(owner, 14, T0))).resolves.toEqual({
      ok: false,
      remaining: 13,
    });
    await expect(store.credits.get(owner, T0)).resolves.toBe(20);
    control.failing = false;
    await credits.flush();
    await expect(store.credits.get(owner, T0)).resolves.toBe(13);
    await credits.flush();
    await expect(store.credits.get(owner, T0)).resolves.toBe(13);
  });

  it('flushes on its timer and reports a failing periodic flush', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { store, inner: raw } = await sqlite();
      const { ledger: inner, control } = instrument(raw);
      const errors: unknown[] = [];
      const credits = createCachedCreditLedger({
        inner,
        flushIntervalMs: 1_000,
        onError: (e) => errors.push(e),
      });
      open.push(
        () => credits.close(),
        () => store.close(),
      );
      await credits.set(owner, 10, null, T0);
      await credits.spend(owner, 1, T0);
      control.failing = true;
      await vi.advanceTimersByTimeAsync(1_000);
      await vi.waitUntil(() => errors.length > 0, { interval: 1 });
      expect(errors[0]).toMatchObject({ message: 'disk I/O error' });
      control.failing = false;
      await vi.advanceTimersByTimeAsync(1_000);
      await vi.waitUntil(async () => (await store.credits.get(owner, T0)) === 9, { interval: 1 });
      expect(errors).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('loses at most the spends after the last flush when the process dies', async () => {
    const path = join(dir, uniqueName('crash'), 'keyward.db');
    const first = await setup(path);
    await first.credits.set(owner, 100, null, T0);
    for (let i = 0; i < 30; i++) await first.credits.spend(owner, 1, T0);
    await first.credits.flush();
    for (let i = 0; i < 20; i++) await first.credits.spend(owner, 1, T0);
    await first.store.close(); // the process dies: the ledger never flushes again

    const second = await setup(path);
    await expect(second.store.credits.get(owner, T0)).resolves.toBe(70);
    const results = await Promise.all(Array.from({ length: 100 }, () => second.credits.spend(owner, 1, T0)));
    // 50 credits were truly left; the 20 unflushed spends are admitted again, nothing more.
    expect(results.filter((r) => r.ok)).toHaveLength(50 + 20);
    // Its database is gone: the final write-back fails, and says so.
    await expect(first.credits.close()).rejects.toThrow('driver has already been destroyed');
  });

  it('notices writes that bypassed it: drops or clamps its pending credits and reloads', async () => {
    const { store, credits } = await setup();
    await credits.set(owner, 10, null, T0);
    await credits.spend(owner, 8, T0);
    await store.credits.set(owner, 5, null, T0 + 1);
    await credits.flush();
    await expect(store.credits.get(owner, T0 + 1)).resolves.toBe(5);
    await expect(credits.get(owner, T0 + 1)).resolves.toBe(5);

    await credits.spend(owner, 4, T0 + 2);
    await store.credits.spend(owner, 3, T0 + 2);
    await credits.flush();
    await expect(store.credits.get(owner, T0 + 2)).resolves.toBe(0);
    await expect(credits.get(owner, T0 + 2)).resolves.toBe(0);
  });

  it('writes a refund that outweighs the spends as a refund', async () => {
    const { store, credits } = await setup();
    const config: CreditsConfig = { refill: { interval: 1_000, amount: 10 } };
    await credits.set(owner, 2, config, T0);
    await credits.spend(owner, 1, T0 + 1_500);
    await credits.refund(owner, 4, T0 + 1_500);
    await credits.flush();
    await expect(store.credits.get(owner, T0 + 1_500)).resolves.toBe(13);
    await expect(credits.get(owner, T0 + 1_500)).resolves.toBe(13);
  });
});
