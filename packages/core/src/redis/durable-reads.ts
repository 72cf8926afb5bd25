import { isKeywardError } from '../contracts/errors.js';
import type { CreditLedger } from '../contracts/store.js';

/**
 * `ledger` (the Redis ledger) whose balance reads fall back to `durable` (the database's
 * ledger) while Redis is down (`UNAVAILABLE`): key views, and the cache fill that asks
 * whether a key has a balance, stay available, at most one write-back interval behind.
 * Spending, refunding and setting never fall back: they would overspend.
 *
 * @example const credits = withDurableReads(createRedisCreditLedger({ redis, inner: store.credits }), store.credits);
 */
export function withDurableReads<L extends CreditLedger>(ledger: L, durable: CreditLedger): L {
  return {
    ...ledger,
    get: (owner, now) =>
      ledger.get(owner, now).catch((error: unknown) => {
        if (!isKeywardError(error) || error.code !== 'UNAVAILABLE') throw error;
        return durable.get(owner, now);
      }),
  };
}
