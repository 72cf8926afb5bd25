import type { CounterStore, LimitCheck } from '../contracts/counter-store.js';
import type { CreditLedger } from '../contracts/store.js';
import { type Answer, applyRateLimits, type LedgerGuard, spendCredits } from './engine-limits.js';
import type { AppliedLimit, CreditCharge } from './resolved-key.js';

/**
 * The dry-run steps of verification (docs/dry-run.md): rules evaluated like enforced ones
 * that never deny. Each runs only after the enforced rules of its kind admitted, so the
 * enforced counters and balances move exactly as they would without any dry-run rule (the
 * property `engine.dry-run.property.test.ts` checks), and a failing store (counters, ledger)
 * never fails a verification through a dry-run rule: the rule is skipped.
 */

/**
 * Counts the dry-run limits in one atomic `consume`, apart from the enforced ones: they are
 * decided together as if they alone were enforced (one that is exhausted leaves the others
 * uncharged, as an enforced batch would). Answers the names of the limits that would have
 * denied, or null; synchronously for in-memory counters.
 */
export function applyDryRunLimits(
  counters: CounterStore,
  selected: { limits: readonly AppliedLimit[]; checks: readonly LimitCheck[] },
  now: number,
): Answer<string[] | null> {
  if (selected.checks.length === 0) return null;
  try {
    const applied = applyRateLimits(counters, selected.limits, selected.checks, now);
    if (applied instanceof Promise) return applied.then((outcome) => outcome.denied).catch(() => null);
    return applied.denied;
  } catch {
    return null;
  }
}

/** What the dry-run quotas did: whether any balance was spent, and the owners that were short. */
export interface DryRunSpend {
  spent: boolean;
  /** `key` / `consumer` for each dry-run quota whose balance could not pay (nothing taken from it). */
  short: Array<'key' | 'consumer'>;
}

/**
 * Spends `cost` from each dry-run quota on its own (one short balance does not stop the
 * others): a balance that can pay is charged exactly as an enforced one, a short one is
 * left as it is and reported. The ledger's guarantees (no overspend, conditional
 * decrement) are those of `spendCredits`, which each charge goes through.
 */
export async function spendDryRunCredits(
  ledger: CreditLedger,
  charges: readonly CreditCharge[],
  cost: number,
  now: number,
  guard: LedgerGuard,
): Promise<DryRunSpend> {
  const result: DryRunSpend = { spent: false, short: [] };
  for (const charge of charges) {
    try {
      const outcome = await spendCredits(ledger, [charge], cost, now, guard);
      if (outcome.ok) result.spent = true;
      else result.short.push(charge.owner.kind);
    } catch {
      // A dry-run rule never fails a verification: an unreachable ledger skips it.
    }
  }
  return result;
}
