import { KeywardError } from '../contracts/errors.js';
import type { CreditBalance, CreditLedger, CreditOwner } from '../contracts/store.js';

/**
 * Shared by the ledgers that decide spends away from the source of truth
 * (`cached-credit-ledger.ts` in memory, `redis/redis-credit-ledger.ts` in Redis): they
 * load balances through `read`, and write the credits they spent back in batches.
 */

/** A ledger that can hand out its stored rows (`read` is optional on `CreditLedger`). */
export type LoadableCreditLedger = CreditLedger & { read(owner: CreditOwner): Promise<CreditBalance | null> };

/** Checks once at start-up that `inner` can be loaded from. */
export function requireRead(inner: CreditLedger): LoadableCreditLedger {
  if (typeof inner.read !== 'function') {
    throw new KeywardError('VALIDATION', 'the inner credit ledger must implement read()', { field: 'inner' });
  }
  return inner as LoadableCreditLedger;
}

/** Credits taken (net of refunds) from one refill period and not yet written back. */
export interface PendingSpend {
  /** The period they came from: `lastRefillAt` of the balance right after each spend. */
  period: number;
  /** Net credits taken; negative when refunds outweighed spends. */
  spent: number;
  /** The latest `now` of those spends. */
  at: number;
}

/** Merges `more` into `into` (same period) or returns `more` when `into` is absent. */
export function mergePending(into: PendingSpend | undefined, more: PendingSpend): PendingSpend {
  if (into === undefined) return { ...more };
  into.spent += more.spent;
  into.at = Math.max(into.at, more.at);
  return into;
}

/**
 * `written`: applied in full. `clamped`: the stored balance was lower than expected (changed
 * behind the caching ledger's back), so only what remained was taken and the rest dropped.
 * `superseded`: the stored balance was set (or refilled) after these spends, or removed;
 * nothing written, since a set or a refill replaces the balance outright.
 */
export type WriteBackOutcome = 'written' | 'clamped' | 'superseded';

/** Clamping retries: each refused spend means the balance dropped meanwhile. */
const CLAMP_ATTEMPTS = 3;

/**
 * Applies `pending` to `inner` with the ledger's own atomic operations. The spends are
 * replayed at max(at, period): `inner.spend` first applies the refill that fell due by then,
 * which is the refill the caching ledger applied (same pure `applyRefill`, same stored
 * `lastRefillAt`), so both end in the same period. A stored period later than `pending.period`
 * means a `set` or another refill happened since: the pending credits belong to a balance
 * that no longer exists and are dropped. `inner.spend` never goes below zero: when the stored
 * balance is short, what remains is taken (clamped). Not atomic with a `set` on another
 * process racing in between read and spend; that race can only lower the stored balance.
 */
export async function writeBack(
  inner: LoadableCreditLedger,
  owner: CreditOwner,
  pending: PendingSpend,
): Promise<WriteBackOutcome> {
  if (pending.spent === 0) return 'written';
  const row = await inner.read(owner);
  if (row === null || row.lastRefillAt > pending.period) return 'superseded';
  const when = Math.max(pending.at, pending.period);
  if (pending.spent < 0) {
    // A refund adds without refilling: bring the stored balance into the period first.
    await inner.spend(owner, 0, when);
    await inner.refund(owner, -pending.spent, when);
    return 'written';
  }
  let cost = pending.spent;
  for (let attempt = 0; attempt < CLAMP_ATTEMPTS; attempt++) {
    const result = await inner.spend(owner, cost, when);
    if (result.ok) return cost === pending.spent ? 'written' : 'clamped';
    if (!(result.remaining > 0)) return 'clamped';
    cost = Math.min(cost, result.remaining);
  }
  return 'clamped';
}

/**
 * A queue of tasks that run one at a time, in call order (a failed one does not stop the
 * next): a ledger's write-backs, sets and reloads, so that a write-back never lands on top
 * of a newer set.
 */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<void> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task);
    tail = run.then(
      () => {},
      () => {},
    );
    return run;
  };
}

/** A ledger that is closed refuses every call: `UNAVAILABLE`. */
export function assertLedgerOpen(closed: boolean): void {
  if (closed) throw new KeywardError('UNAVAILABLE', 'the credit ledger is closed');
}

/** Runs `task` over `items`, at most `limit` at a time. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Throws the failures of a batch: the one error itself, or an AggregateError. */
export function throwFailures(errors: readonly unknown[], what: string): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} ${what} failed`);
}

/** `kind:id`: kinds hold no `:`, so distinct owners never share a string. */
export const ownerKey = (owner: CreditOwner): string => `${owner.kind}:${owner.id}`;

/** A map keyed by credit owner. */
export interface OwnerMap<V> {
  get(owner: CreditOwner): V | undefined;
  set(owner: CreditOwner, value: V): void;
  delete(owner: CreditOwner): void;
}

/**
 * An `OwnerMap` that builds no `kind:id` string per lookup: a spend looks its owner up on
 * every verification, and hashing a freshly built string costs more than the spend itself.
 * The id strings come from the cached key, so their hashes are computed once.
 *
 * @example
 * const entries = createOwnerMap<Entry>();
 * entries.set({ kind: 'key', id: 'key_1' }, entry);
 */
export function createOwnerMap<V>(): OwnerMap<V> {
  const byKind = new Map<string, Map<string, V>>();
  return {
    get: (owner) => byKind.get(owner.kind)?.get(owner.id),
    set(owner, value) {
      let ids = byKind.get(owner.kind);
      if (ids === undefined) {
        ids = new Map();
        byKind.set(owner.kind, ids);
      }
      ids.set(owner.id, value);
    },
    delete(owner) {
      byKind.get(owner.kind)?.delete(owner.id);
    },
  };
}

/** VALIDATION unless `value` is a non-negative safe integer (the store's own rule). */
export function assertCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new KeywardError('VALIDATION', `${field} must be a non-negative integer`, { field });
  }
}
