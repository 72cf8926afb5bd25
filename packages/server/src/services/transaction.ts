import type { CreditLedger, Engine, StoreTransaction } from '@keyward/core';
import type { ServiceDeps } from './context.js';

/** What a committed write still has to tell others (cache invalidations, the webhook dispatcher). */
type Effect = () => Promise<void> | void;

/** Deps bound to an open transaction: `write` inside another write joins it. */
const open = new WeakSet<ServiceDeps>();

/**
 * The deps of one transaction, with the same interface as the app's: reads and writes of the
 * store, the webhook outbox, alerts and policies go into the transaction; what tells the rest
 * of the system (cache invalidation on every node, a credit balance held in memory or Redis,
 * the root-key cache, waking the webhook dispatcher) is queued and runs after the commit.
 */
function transactionDeps(deps: ServiceDeps, tx: StoreTransaction, effects: Effect[]): ServiceDeps {
  const later = (effect: Effect): void => {
    effects.push(effect);
  };
  const root = deps.engine;
  const engine: Engine = {
    verifyKey: (key, options) => root.verifyKey(key, options),
    digest: (key) => root.digest(key),
    invalidate: async (message) => later(() => root.invalidate(message)),
    close: () => root.close(),
  };
  // Balances go into the transaction's own ledger (the database's); a ledger that holds them
  // elsewhere drops its copy once the new one is committed.
  const committed: CreditLedger = deps.store.credits;
  const credits: CreditLedger = {
    ...tx.credits,
    async set(owner, remaining, config, now) {
      await tx.credits.set(owner, remaining, config, now);
      later(() => committed.reload(owner));
    },
  };
  const { webhooks, monitoring } = deps;
  const inside: ServiceDeps = {
    ...deps,
    store: { ...tx, credits },
    engine,
    forgetRootKey: async (id) => later(() => deps.forgetRootKey(id)),
    ...(webhooks === undefined
      ? {}
      : { webhooks: { store: webhooks.store.within(tx.sql), notify: () => later(() => webhooks.notify()) } }),
    ...(monitoring === undefined
      ? {}
      : {
          monitoring: {
            alerts: monitoring.alerts.within(tx.sql),
            policies: monitoring.policies.within(tx.sql),
          },
        }),
  };
  open.add(inside);
  return inside;
}

/**
 * Runs an admin write in one database transaction: the records it changes, their credit
 * balances, its audit event and its webhook outbox rows commit together or not at all (an
 * error anywhere rolls every one of them back and is rethrown). Cache invalidations and
 * the like run only after the commit, in the order they were asked for, every one of them
 * even when another fails; a write never announces what it did not commit. Called with deps
 * that are already inside a write, it joins that one.
 *
 * @example return write(deps, async (tx) => { await tx.store.keys.revoke(...); await recordAudit(tx, ...); });
 */
export async function write<T>(deps: ServiceDeps, work: (tx: ServiceDeps) => Promise<T>): Promise<T> {
  if (open.has(deps)) return work(deps);
  const effects: Effect[] = [];
  const result = await deps.store.transaction((tx) => work(transactionDeps(deps, tx, effects)));
  // Every effect runs even when one fails (a credit reload while Redis is down must not keep
  // the cache invalidation from going out); then the first failure is the write's answer
  // (503 for an unavailable dependency: the write is committed, and retrying it is harmless).
  let failure: { error: unknown } | null = null;
  for (const effect of effects) {
    try {
      await effect();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== null) throw failure.error;
  return result;
}
