import { describe, expect, it } from 'vitest';
import type { CreditsConfig } from '../../contracts/model.js';
import type { CreditOwner, CreditSpend } from '../../contracts/store.js';
import { applyRefill } from '../../decisions/quota.js';
import { type GetStore, rejection, T0 } from './fixtures.js';

const owner = (id = 'key_credits'): CreditOwner => ({ kind: 'key', id });

/** The credit ledger: balances, spends that never overspend, refills. */
export function describeCreditCases(store: GetStore): void {
  /** A spend as a promise whatever the ledger's kind (a `memory` ledger may answer at once). */
  const spend = (o: CreditOwner, cost: number, now: number): Promise<CreditSpend> =>
    Promise.resolve(store().credits.spend(o, cost, now));

  describe('credits', () => {
    it('spends as its kind says: a promise (durable), or at once once loaded (memory)', async () => {
      const o = owner('key_kind');
      await store().credits.set(o, 5, null, T0);
      await spend(o, 0, T0);
      const ledger = store().credits;
      const answer = ledger.spend(o, 1, T0);
      if (ledger.kind === 'durable') expect(answer).toBeInstanceOf(Promise);
      else expect(answer).toEqual({ ok: true, remaining: 4 });
      await expect(Promise.resolve(answer)).resolves.toEqual({ ok: true, remaining: 4 });
    });

    it('sets, reads, spends down to zero and never below', async () => {
      const o = owner();
      await expect(store().credits.get(o, T0)).resolves.toBeNull();
      await store().credits.set(o, 10, null, T0);
      await expect(store().credits.get(o, T0)).resolves.toBe(10);
      await expect(spend(o, 3, T0)).resolves.toEqual({ ok: true, remaining: 7 });
      await expect(spend(o, 8, T0)).resolves.toEqual({ ok: false, remaining: 7 });
      await expect(spend(o, 7, T0)).resolves.toEqual({ ok: true, remaining: 0 });
      await expect(spend(o, 1, T0)).resolves.toEqual({ ok: false, remaining: 0 });
      await expect(spend(o, 0, T0)).resolves.toEqual({ ok: true, remaining: 0 });
      await expect(store().credits.get(o, T0)).resolves.toBe(0);
    });

    it('keeps owners apart and treats a missing balance as unlimited', async () => {
      await store().credits.set({ kind: 'key', id: 'same' }, 1, null, T0);
      await store().credits.set({ kind: 'consumer', id: 'same' }, 5, null, T0);
      await expect(spend({ kind: 'key', id: 'same' }, 1, T0)).resolves.toEqual({
        ok: true,
        remaining: 0,
      });
      await expect(store().credits.get({ kind: 'consumer', id: 'same' }, T0)).resolves.toBe(5);
      await store().credits.set({ kind: 'consumer', id: 'same' }, null, null, T0);
      await expect(store().credits.get({ kind: 'consumer', id: 'same' }, T0)).resolves.toBeNull();
      await expect(spend({ kind: 'consumer', id: 'same' }, 3, T0)).resolves.toEqual({
        ok: true,
        remaining: Number.POSITIVE_INFINITY,
      });
      await store().credits.set({ kind: 'key', id: 'same' }, 4, null, T0);
      await expect(store().credits.get({ kind: 'key', id: 'same' }, T0)).resolves.toBe(4);
    });

    it('rejects a cost or balance that is not a non-negative integer', async () => {
      await store().credits.set(owner(), 5, null, T0);
      for (const cost of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(rejection(spend(owner(), cost, T0))).resolves.toEqual({
          code: 'VALIDATION',
          field: 'cost',
        });
      }
      await expect(rejection(store().credits.set(owner(), -1, null, T0))).resolves.toEqual({
        code: 'VALIDATION',
        field: 'remaining',
      });
      await expect(store().credits.get(owner(), T0)).resolves.toBe(5);
    });

    it('admits exactly the balance under 200 concurrent spends', async () => {
      const o = owner();
      await store().credits.set(o, 50, null, T0);
      const results = await Promise.all(Array.from({ length: 200 }, () => spend(o, 1, T0)));
      expect(results.filter((r) => r.ok)).toHaveLength(50);
      expect(results.every((r) => r.remaining >= 0)).toBe(true);
      await expect(store().credits.get(o, T0)).resolves.toBe(0);
    });

    it('applies a refill that fell due, once', async () => {
      const o = owner();
      const config: CreditsConfig = { refill: { interval: 1_000, amount: 10 } };
      await store().credits.set(o, 0, config, T0);
      await expect(spend(o, 1, T0 + 999)).resolves.toMatchObject({ ok: false });
      const due = applyRefill(config, 0, T0, T0 + 1_000);
      expect(due.balance).toBeGreaterThan(0);
      await expect(store().credits.get(o, T0 + 1_000)).resolves.toBe(due.balance);
      await expect(spend(o, 1, T0 + 1_000)).resolves.toEqual({
        ok: true,
        remaining: due.balance - 1,
      });
      await expect(spend(o, 1, T0 + 1_001)).resolves.toEqual({
        ok: true,
        remaining: due.balance - 2,
      });
    });

    it('never overspends when concurrent spends race a refill', async () => {
      const o = owner();
      const config: CreditsConfig = { refill: { interval: 1_000, amount: 10 } };
      await store().credits.set(o, 0, config, T0);
      const due = applyRefill(config, 0, T0, T0 + 1_000);
      const results = await Promise.all(Array.from({ length: 100 }, () => spend(o, 1, T0 + 1_000)));
      expect(results.filter((r) => r.ok)).toHaveLength(Math.min(due.balance, 100));
      await expect(store().credits.get(o, T0 + 1_000)).resolves.toBe(Math.max(due.balance - 100, 0));
    });

    it('refunds with one increment, and ignores owners without a balance', async () => {
      const o = owner();
      await store().credits.set(o, 5, null, T0);
      await spend(o, 5, T0);
      await Promise.all(Array.from({ length: 20 }, () => store().credits.refund(o, 1, T0)));
      await expect(store().credits.get(o, T0)).resolves.toBe(20);
      await store().credits.refund(owner('key_none'), 3, T0);
      await expect(store().credits.get(owner('key_none'), T0)).resolves.toBeNull();
      await expect(rejection(store().credits.refund(o, -1, T0))).resolves.toEqual({
        code: 'VALIDATION',
        field: 'amount',
      });
    });

    it('restarts the refill schedule when set', async () => {
      const o = owner();
      const config: CreditsConfig = { refill: { interval: 1_000, amount: 10 } };
      await store().credits.set(o, 0, config, T0);
      await store().credits.set(o, 0, config, T0 + 500);
      await expect(store().credits.get(o, T0 + 1_000)).resolves.toBe(
        applyRefill(config, 0, T0 + 500, T0 + 1_000).balance,
      );
    });
  });
}
