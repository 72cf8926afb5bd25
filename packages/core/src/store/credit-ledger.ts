import { KeywardError } from '../contracts/errors.js';
import type { CreditsConfig } from '../contracts/model.js';
import type { CreditOwner, DurableCreditLedger } from '../contracts/store.js';
import { applyRefill } from '../decisions/quota.js';
import { fromJsonOrNull, toJsonOrNull } from './codec.js';
import type { StoreContext } from './context.js';

/** Re-reads allowed when a refill races with other spends or refills (each failed attempt means another succeeded). */
const MAX_ATTEMPTS = 20;

const assertCount = (value: number, field: string): void => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new KeywardError('VALIDATION', `${field} must be a non-negative integer`, { field });
  }
};

/**
 * Credit balances in the `credits` table. A spend never reads-modifies-writes the balance:
 * 1. when a refill fell due (decided by `applyRefill`, a pure function), it is written
 *    with a compare-and-set on (remaining, last_refill_at), so exactly one of several
 *    racing callers applies it and the others re-read;
 * 2. the spend itself is one conditional decrement,
 *    `update … set remaining = remaining - cost where remaining >= cost returning remaining`,
 *    atomic on both dialects (PostgreSQL re-checks the condition after waiting for the row
 *    lock; SQLite runs one writer at a time), so concurrent spends never overspend.
 * A CHECK (remaining >= 0) backs this up in the schema.
 */
export function createCreditLedger({ db }: StoreContext): DurableCreditLedger {
  const read = (owner: CreditOwner) =>
    db
      .selectFrom('credits')
      .select(['remaining', 'last_refill_at', 'config'])
      .where('owner_kind', '=', owner.kind)
      .where('owner_id', '=', owner.id)
      .executeTakeFirst();

  return {
    kind: 'durable',

    // The database's ledger holds no copy elsewhere.
    async reload() {},

    async read(owner) {
      const row = await read(owner);
      if (row === undefined) return null;
      return {
        remaining: Number(row.remaining),
        lastRefillAt: Number(row.last_refill_at),
        config: fromJsonOrNull<CreditsConfig>(row.config),
      };
    },

    async get(owner, now) {
      const row = await read(owner);
      if (row === undefined) return null;
      const config = fromJsonOrNull<CreditsConfig>(row.config);
      return applyRefill(config, Number(row.remaining), Number(row.last_refill_at), now).balance;
    },

    async set(owner, remaining, config, now) {
      if (remaining === null) {
        await db
          .deleteFrom('credits')
          .where('owner_kind', '=', owner.kind)
          .where('owner_id', '=', owner.id)
          .execute();
        return;
      }
      assertCount(remaining, 'remaining');
      const values = { remaining, last_refill_at: now, config: toJsonOrNull(config) };
      await db
        .insertInto('credits')
        .values({ owner_kind: owner.kind, owner_id: owner.id, ...values })
        .onConflict((oc) => oc.columns(['owner_kind', 'owner_id']).doUpdateSet(values))
        .execute();
    },

    async spend(owner, cost, now) {
      assertCount(cost, 'cost');
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const row = await read(owner);
        if (row === undefined) return { ok: true, remaining: Number.POSITIVE_INFINITY };
        const balance = Number(row.remaining);
        const lastRefillAt = Number(row.last_refill_at);
        const due = applyRefill(fromJsonOrNull<CreditsConfig>(row.config), balance, lastRefillAt, now);
        if (due.balance !== balance || due.lastRefillAt !== lastRefillAt) {
          const applied = await db
            .updateTable('credits')
            .set({ remaining: due.balance, last_refill_at: due.lastRefillAt })
            .where('owner_kind', '=', owner.kind)
            .where('owner_id', '=', owner.id)
            .where('remaining', '=', balance)
            .where('last_refill_at', '=', lastRefillAt)
            .returning('owner_id')
            .executeTakeFirst();
          if (applied === undefined) continue;
        }
        const spent = await db
          .updateTable('credits')
          .set((eb) => ({ remaining: eb('remaining', '-', cost) }))
          .where('owner_kind', '=', owner.kind)
          .where('owner_id', '=', owner.id)
          .where('remaining', '>=', cost)
          .returning('remaining')
          .executeTakeFirst();
        if (spent !== undefined) return { ok: true, remaining: Number(spent.remaining) };
        const after = await read(owner);
        return { ok: false, remaining: after === undefined ? 0 : Number(after.remaining) };
      }
      throw new KeywardError('UNAVAILABLE', 'the credit balance is too contended; retry');
    },

    async refund(owner, amount) {
      assertCount(amount, 'amount');
      if (amount === 0) return;
      await db
        .updateTable('credits')
        .set((eb) => ({ remaining: eb('remaining', '+', amount) }))
        .where('owner_kind', '=', owner.kind)
        .where('owner_id', '=', owner.id)
        .execute();
    },
  };
}
