import { KeywardError } from '../contracts/errors.js';
import type { CreditsConfig } from '../contracts/model.js';

/**
 * Credit refill arithmetic for `CreditLedger` implementations: pure, no clock. Times are
 * epoch ms; calendar refills happen at 00:00 UTC.
 *
 * Schedules (`refill.interval`):
 * - `'daily'`: every day at 00:00 UTC.
 * - `'monthly'`: on `refill.day` (1-31, default 1; clamped to the month's last day, so 31
 *   means the last day of every month) at 00:00 UTC.
 * - a number N: every N ms counted from `lastRefillAt` (the schedule keeps its phase).
 *
 * A refill SETS the balance to `refill.amount` (like Unkey's "refill to amount"): unused
 * credits do not accumulate, and a balance above `amount` (an admin top-up) comes down to
 * it. Several refills missed since `lastRefillAt` collapse into one, and `lastRefillAt`
 * moves to the latest scheduled instant that has passed, so applying refills is idempotent
 * and gives the same result whether it runs once or at every step in between.
 */

const DAY_MS = 86_400_000;

type Refill = NonNullable<CreditsConfig['refill']>;

const checkInterval = (refill: Refill): void => {
  const { interval } = refill;
  if (typeof interval === 'number' && !(Number.isSafeInteger(interval) && interval > 0)) {
    throw new KeywardError('VALIDATION', 'credits refill interval must be a positive integer (ms)', {
      field: 'credits.refill.interval',
    });
  }
};

/** 00:00 UTC on `day` (clamped) of the given month; month may overflow (Date.UTC normalizes). */
const monthlyInstant = (year: number, month: number, day: number): number => {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(Math.max(1, day), lastDay));
};

/** The latest scheduled refill instant at or before `t` (daily and monthly only). */
const calendarAtOrBefore = (refill: Refill, t: number): number => {
  if (refill.interval === 'daily') return Math.floor(t / DAY_MS) * DAY_MS;
  const date = new Date(t);
  const [y, m, day] = [date.getUTCFullYear(), date.getUTCMonth(), refill.day ?? 1];
  const candidate = monthlyInstant(y, m, day);
  return candidate <= t ? candidate : monthlyInstant(y, m - 1, day);
};

/**
 * The first refill instant strictly after `lastRefillAt`, or null when the config has no
 * refill (used for `Retry-After` when credits run out).
 *
 * @example nextRefillAt({ refill: { interval: 'daily', amount: 100 } }, Date.UTC(2024, 0, 1, 15)) // Date.UTC(2024, 0, 2)
 */
export function nextRefillAt(config: CreditsConfig | null, lastRefillAt: number): number | null {
  const refill = config?.refill;
  if (!refill) return null;
  checkInterval(refill);
  if (typeof refill.interval === 'number') return lastRefillAt + refill.interval;
  if (refill.interval === 'daily') return (Math.floor(lastRefillAt / DAY_MS) + 1) * DAY_MS;
  const date = new Date(lastRefillAt);
  const [y, m, day] = [date.getUTCFullYear(), date.getUTCMonth(), refill.day ?? 1];
  const candidate = monthlyInstant(y, m, day);
  return candidate > lastRefillAt ? candidate : monthlyInstant(y, m + 1, day);
}

/**
 * Applies the refill that fell due in (lastRefillAt, now], if any: the balance becomes
 * `refill.amount` and `lastRefillAt` the latest scheduled instant ≤ now. Without a due
 * refill (or without a refill config) both come back unchanged.
 *
 * @throws KeywardError `VALIDATION` for a non-positive numeric interval.
 * @example
 * applyRefill({ refill: { interval: 'monthly', day: 31, amount: 1000 } }, 3, Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 29, 8))
 * // { balance: 1000, lastRefillAt: Date.UTC(2024, 1, 29) } (February's last day)
 */
export function applyRefill(
  config: CreditsConfig | null,
  balance: number,
  lastRefillAt: number,
  now: number,
): { balance: number; lastRefillAt: number } {
  const refill = config?.refill;
  const next = nextRefillAt(config ?? null, lastRefillAt);
  if (!refill || next === null || next > now) return { balance, lastRefillAt };
  const latest =
    typeof refill.interval === 'number'
      ? lastRefillAt + Math.floor((now - lastRefillAt) / refill.interval) * refill.interval
      : calendarAtOrBefore(refill, now);
  return { balance: refill.amount, lastRefillAt: latest };
}
