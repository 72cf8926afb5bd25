import { KeywardError } from '../contracts/errors.js';
import type {
  CreditBalance,
  CreditLedger,
  CreditOwner,
  CreditSpend,
  MemoryCreditLedger,
} from '../contracts/store.js';
import { applyRefill } from '../decisions/quota.js';
import {
  assertCount,
  assertLedgerOpen,
  createOwnerMap,
  createSerialQueue,
  forEachLimit,
  mergePending,
  type PendingSpend,
  requireRead,
  throwFailures,
  writeBack,
} from './credit-write-back.js';

export interface CachedCreditLedgerOptions {
  /** The durable ledger (`store.credits`); must implement `read`. Never closed by this one. */
  inner: CreditLedger;
  /** How often spent credits are written to `inner`, in ms. Default 1_000. */
  flushIntervalMs?: number;
  /** Told when a periodic flush fails (its credits stay pending and go with the next one). Default: ignore. */
  onError?: (error: unknown) => void;
}

/** What a ledger that writes back in batches adds (memory here, Redis in `redis-credit-ledger.ts`). */
export interface CreditFlushing {
  /** Writes every pending spend back; resolves when they are durable, rejects (keeping them pending) when a write fails. */
  flush(): Promise<void>;
  /** Stops the timer and flushes; later calls throw `UNAVAILABLE`. Leaves `inner` open. */
  close(): Promise<void>;
}

/** A `CreditLedger` that writes back in batches. */
export type FlushingCreditLedger = CreditLedger & CreditFlushing;

interface Entry {
  owner: CreditOwner;
  /** null: no balance, unlimited. A private copy, updated in place. */
  balance: CreditBalance | null;
  /** Spent since the last flush, always in the balance's current period. */
  pending: PendingSpend | undefined;
}

/** Owners written back at once (SQLite runs them one by one anyway; PostgreSQL in parallel). */
const FLUSH_CONCURRENCY = 4;

/**
 * Credit balances decided in memory, for ONE process that owns them (the embedded SQLite
 * default): a spend costs no database write, so no fsync per verification.
 *
 * - A balance is loaded from `inner.read` on first use (one read per owner however many
 *   callers wait), then every spend, refund and refill (`applyRefill`, the store's own
 *   arithmetic) is decided synchronously on that copy: exact under any concurrency in the
 *   process, never below zero, never overspent while the process lives.
 * - Credits spent are written to `inner` every `flushIntervalMs` and on `flush()`/`close()`
 *   as deltas (`inner.spend`, atomic, never below zero; see `credit-write-back.ts`). A refill
 *   makes the pending credits of the previous period moot (a refill sets the balance), so
 *   they are dropped. A failed write keeps its credits pending for the next flush.
 * - `set` writes through to `inner` first, never concurrently with a flush, then replaces the
 *   cached balance and drops its pending credits (the set balance replaces them). `reload`
 *   drops the cached balance after a transaction set the stored one (the next spend loads it).
 * - `spend` answers synchronously once a balance is loaded (`kind: 'memory'`): the engine
 *   then spends credits without a promise.
 *
 * What a crash (SIGKILL, power loss) costs: the credits spent since the last successful
 * flush are not in `inner`, so after a restart they can be spent again. With a healthy
 * database that is at most `flushIntervalMs` of spending plus one flush's duration; while
 * writes to `inner` fail, all spending since the last success. Nothing else: a spend is never
 * counted twice, and writes that bypass this ledger (another process, a direct `inner.set`)
 * are noticed at the next flush, which then drops or clamps the pending credits and reloads.
 * Do not use it when several processes spend from one database (use the Redis ledger).
 *
 * @example
 * const credits = createCachedCreditLedger({ inner: store.credits, onError: (e) => log.warn(e) });
 * const engine = createEngine({ store: { ...store, credits }, credits });
 * // on shutdown: await credits.close(); await store.close();
 */
export function createCachedCreditLedger(
  options: CachedCreditLedgerOptions,
): MemoryCreditLedger & CreditFlushing {
  const { flushIntervalMs = 1_000, onError = () => {} } = options;
  const inner = requireRead(options.inner);
  if (!(Number.isFinite(flushIntervalMs) && flushIntervalMs > 0)) {
    throw new KeywardError('VALIDATION', 'flushIntervalMs must be a positive number', {
      field: 'flushIntervalMs',
    });
  }
  const entries = createOwnerMap<Entry>();
  const loads = createOwnerMap<Promise<Entry>>();
  const dirty = new Set<Entry>();
  let closed = false;
  let closing: Promise<void> | null = null;

  /** Write-backs, sets and reloads of this ledger run one at a time, in call order. */
  const exclusive = createSerialQueue();
  const assertOpen = (): void => assertLedgerOpen(closed);

  /** Bumped by `reload`: a load that started before one may have read the replaced balance. */
  let reloads = 0;

  const load = (caller: CreditOwner): Promise<Entry> => {
    // A private copy: the caller's object may change once this returns.
    const owner: CreditOwner = { kind: caller.kind, id: caller.id };
    let loading = loads.get(owner);
    if (loading === undefined) {
      const started = reloads;
      loading = inner
        .read(owner)
        .then((row) => {
          // A set that finished meanwhile installed a newer entry: keep it.
          const existing = entries.get(owner);
          if (existing !== undefined) return existing;
          if (reloads !== started) {
            // Read before a committed set, perhaps: read again.
            loads.delete(owner);
            return load(owner);
          }
          const entry: Entry = { owner, balance: row === null ? null : { ...row }, pending: undefined };
          entries.set(owner, entry);
          return entry;
        })
        .finally(() => {
          if (loads.get(owner) === loading) loads.delete(owner);
        });
      loads.set(owner, loading);
    }
    return loading;
  };

  const entryOf = async (owner: CreditOwner): Promise<Entry> => {
    assertOpen();
    return entries.get(owner) ?? (await load(owner));
  };

  /** Puts credits that failed to write back into the entry again, unless a set or refill made them moot. */
  const restore = (entry: Entry, pending: PendingSpend): void => {
    if (entries.get(entry.owner) !== entry || entry.balance?.lastRefillAt !== pending.period) return;
    entry.pending = mergePending(entry.pending, pending);
    dirty.add(entry);
  };

  const writeAll = async (): Promise<void> => {
    const batch = [...dirty].flatMap((entry) => {
      const { pending } = entry;
      entry.pending = undefined;
      return pending === undefined ? [] : [{ entry, pending }];
    });
    dirty.clear();
    const errors: unknown[] = [];
    await forEachLimit(batch, FLUSH_CONCURRENCY, async ({ entry, pending }) => {
      try {
        const outcome = await writeBack(inner, entry.owner, pending);
        // The stored balance changed behind this ledger's back: reload it on next use.
        if (outcome !== 'written' && entry.pending === undefined && entries.get(entry.owner) === entry)
          entries.delete(entry.owner);
      } catch (error) {
        restore(entry, pending);
        errors.push(error);
      }
    });
    throwFailures(errors, 'credit write-backs');
  };

  /** Refill due, check, take: synchronous on the cached copy, so concurrent spends never overspend. */
  const spendFrom = (entry: Entry, cost: number, now: number): CreditSpend => {
    const { balance } = entry;
    if (balance === null) return { ok: true, remaining: Number.POSITIVE_INFINITY };
    const due = applyRefill(balance.config, balance.remaining, balance.lastRefillAt, now);
    if (due.lastRefillAt !== balance.lastRefillAt) {
      entry.pending = undefined;
      balance.lastRefillAt = due.lastRefillAt;
    }
    balance.remaining = due.balance;
    if (balance.remaining < cost) return { ok: false, remaining: balance.remaining };
    balance.remaining -= cost;
    if (cost > 0) {
      // `mergePending` in place, without its argument object: this runs on every verification that spends.
      const { pending } = entry;
      if (pending === undefined) {
        entry.pending = { period: balance.lastRefillAt, spent: cost, at: now };
      } else {
        pending.spent += cost;
        pending.at = Math.max(pending.at, now);
      }
      dirty.add(entry);
    }
    return { ok: true, remaining: balance.remaining };
  };

  let ticking = false;
  const timer = setInterval(() => {
    if (ticking || dirty.size === 0) return;
    ticking = true;
    exclusive(writeAll)
      .catch(onError)
      .finally(() => {
        ticking = false;
      });
  }, flushIntervalMs);
  timer.unref();

  return {
    kind: 'memory',

    async get(owner, now) {
      const { balance } = await entryOf(owner);
      if (balance === null) return null;
      return applyRefill(balance.config, balance.remaining, balance.lastRefillAt, now).balance;
    },

    async set(owner, remaining, config, now) {
      assertOpen();
      await exclusive(async () => {
        await inner.set(owner, remaining, config, now);
        const copy: CreditOwner = { kind: owner.kind, id: owner.id };
        const previous = entries.get(copy);
        if (previous !== undefined) dirty.delete(previous);
        entries.set(copy, {
          owner: copy,
          balance:
            remaining === null ? null : { remaining, lastRefillAt: now, config: structuredClone(config) },
          pending: undefined,
        });
      });
    },

    spend(owner, cost, now) {
      try {
        assertCount(cost, 'cost');
      } catch (error) {
        return Promise.reject(error);
      }
      // A loaded balance is spent here and now; otherwise (first use, closed) through the load.
      const entry = closed ? undefined : entries.get(owner);
      if (entry !== undefined) return spendFrom(entry, cost, now);
      return entryOf(owner).then((loaded) => spendFrom(loaded, cost, now));
    },

    reload(owner) {
      assertOpen();
      // After any flush in progress (it may hold the old balance's credits, which the set replaced).
      return exclusive(async () => {
        reloads++;
        const entry = entries.get(owner);
        if (entry !== undefined) dirty.delete(entry);
        entries.delete(owner);
      });
    },

    async refund(owner, amount) {
      assertCount(amount, 'amount');
      if (amount === 0) return;
      const entry = await entryOf(owner);
      const { balance } = entry;
      if (balance === null) return;
      balance.remaining += amount;
      // `at` of a refund-only batch: the period start, so the write-back refills no further.
      const at = entry.pending?.at ?? balance.lastRefillAt;
      entry.pending = mergePending(entry.pending, { period: balance.lastRefillAt, spent: -amount, at });
      dirty.add(entry);
    },

    async read(owner) {
      const { balance } = await entryOf(owner);
      return balance === null ? null : { ...balance };
    },

    flush() {
      return exclusive(writeAll);
    },

    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(timer);
        await exclusive(writeAll);
      })();
      return closing;
    },
  };
}
