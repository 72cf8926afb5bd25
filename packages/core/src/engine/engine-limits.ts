import type { RateLimitState } from '@keyward/protocol';
import type { CounterStore, LimitCheck, LimitResult } from '../contracts/counter-store.js';
import { KeywardError } from '../contracts/errors.js';
import type { CreditsConfig } from '../contracts/model.js';
import type { CreditLedger, CreditSpend } from '../contracts/store.js';
import { nextRefillAt } from '../decisions/quota.js';
import type { AppliedLimit, CreditCharge, LimitSet } from './resolved-key.js';

/**
 * The two counting steps of verification: rate limits, then credits. Each is skipped by the
 * caller when the key has nothing to count, and each answers synchronously (no promise, no
 * microtask) when its store holds the counts in this process's memory.
 */

/** A verification's named limits, validated; `null` = every limit with cost 1. */
export type RequestedLimits = ReadonlyArray<{ name: string; cost: number }> | null;

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Validates `ratelimits` of VerifyOptions (before any lookup: a bad request is an error, never a denial). */
export function requestedLimits(
  ratelimits: ReadonlyArray<{ name: string; cost?: number }> | undefined,
): RequestedLimits {
  if (ratelimits === undefined) return null;
  if (!Array.isArray(ratelimits)) {
    throw new KeywardError('VALIDATION', 'ratelimits must be an array', { field: 'ratelimits' });
  }
  return ratelimits.map(({ name, cost = 1 }, i) => {
    if (typeof name !== 'string' || name.length === 0) {
      throw new KeywardError('VALIDATION', 'a rate limit name must be a non-empty string', {
        field: `ratelimits[${i}].name`,
      });
    }
    if (!isCount(cost)) {
      throw new KeywardError('VALIDATION', 'a rate limit cost must be a non-negative integer', {
        field: `ratelimits[${i}].cost`,
      });
    }
    return { name, cost };
  });
}

/** Validates `credits.cost` of VerifyOptions; default 1. */
export function creditCost(credits: { cost: number } | undefined): number {
  if (credits === undefined) return 1;
  if (!isCount(credits?.cost)) {
    throw new KeywardError('VALIDATION', 'credits.cost must be a non-negative integer', {
      field: 'credits.cost',
    });
  }
  return credits.cost;
}

/**
 * The limits a verification applies: all of them at cost 1, or those named (a name picks
 * the key's and the consumer's limit of that name; unknown names are ignored; a name given
 * twice adds its costs). Naming every limit at cost 1 selects the defaults without copying.
 */
export function selectLimits(
  view: LimitSet,
  requested: RequestedLimits,
): { limits: readonly AppliedLimit[]; checks: readonly LimitCheck[] } {
  if (requested === null) return { limits: view.limits, checks: view.defaultChecks };
  // Copied from the first limit where the selection departs from the defaults.
  let limits: AppliedLimit[] | null = null;
  let checks: LimitCheck[] = [];
  for (let i = 0; i < view.limits.length; i++) {
    const limit = view.limits[i] as AppliedLimit;
    let named = false;
    let cost = 0;
    for (const wanted of requested) {
      if (wanted.name !== limit.name) continue;
      named = true;
      cost += wanted.cost;
    }
    if (limits === null) {
      if (named && cost === 1) continue;
      limits = view.limits.slice(0, i);
      checks = view.defaultChecks.slice(0, i);
    }
    if (!named) continue;
    limits.push(limit);
    checks.push(
      cost === 1 ? limit.check : { counter: limit.check.counter, config: limit.check.config, cost },
    );
  }
  return limits === null ? { limits: view.limits, checks: view.defaultChecks } : { limits, checks };
}

export interface RateLimitOutcome {
  admitted: boolean;
  states: RateLimitState[];
  /** When denied: the longest wait among the limits that denied. */
  retryAfterMs: number;
  /** When denied: the names of the limits that denied (null when admitted). */
  denied: string[] | null;
}

/** The counters' answer as per-limit states; admitted only when every limit admitted. */
function rateLimitOutcome(
  limits: readonly AppliedLimit[],
  results: readonly LimitResult[],
): RateLimitOutcome {
  let admitted = true;
  let retryAfterMs = 0;
  let denied: string[] | null = null;
  const states: RateLimitState[] = [];
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    const limit = limits[i];
    if (result === undefined || limit === undefined) continue;
    if (!result.admitted) {
      admitted = false;
      if (denied === null) denied = [];
      denied.push(limit.name);
      if (result.retryAfterMs > retryAfterMs) retryAfterMs = result.retryAfterMs;
    }
    states.push({
      name: limit.name,
      limit: result.limit,
      remaining: result.remaining,
      reset: result.reset,
      resetAfterMs: result.resetAfterMs,
      duration: limit.check.config.duration,
      scope: limit.scope,
    });
  }
  return { admitted, states, retryAfterMs, denied };
}

/**
 * An answer that comes at once when its store decides in this process's memory (the store's
 * `kind` says so), else as a native promise. The engine awaits only the promises.
 */
export type Answer<T> = T | Promise<T>;

/**
 * Applies the limits in one atomic `consume`: all are charged, or none. A `sync` store's
 * outcome comes back itself (no promise, no microtask); an `async` store's as a promise.
 */
export function applyRateLimits(
  counters: CounterStore,
  limits: readonly AppliedLimit[],
  checks: readonly LimitCheck[],
  now: number,
): Answer<RateLimitOutcome> {
  if (counters.kind === 'sync') return rateLimitOutcome(limits, counters.consume(checks, now));
  return counters.consume(checks, now).then((results) => rateLimitOutcome(limits, results));
}

export interface CreditOutcome {
  ok: boolean;
  /** The smaller balance of the owners charged; null when none has a balance (unlimited). */
  remaining: number | null;
  /** When refused: ms until the short owner's next refill; null without a refill or for interval refills (their phase lives in the ledger). */
  retryAfterMs: number | null;
}

/** Runs a call to the ledger under the engine's deadline and circuit breaker. */
export type LedgerGuard = <T>(call: () => Promise<T>) => Promise<T>;

function untilRefill(config: CreditsConfig | null, now: number): number | null {
  if (config === null || config.refill === null || typeof config.refill.interval === 'number') return null;
  const next = nextRefillAt(config, now);
  return next === null ? null : next - now;
}

const smaller = (a: number | null, b: number): number | null =>
  Number.isFinite(b) ? (a === null ? b : Math.min(a, b)) : a;

const refused = (charge: CreditCharge, remaining: number, now: number): CreditOutcome => ({
  ok: false,
  remaining,
  retryAfterMs: untilRefill(charge.config, now),
});

/** Gives back what the charges before `end` took (nothing was taken at cost 0). */
async function refundBefore(
  ledger: CreditLedger,
  charges: readonly CreditCharge[],
  end: number,
  cost: number,
  now: number,
): Promise<void> {
  if (cost === 0) return;
  for (let i = 0; i < end; i++) await ledger.refund((charges[i] as CreditCharge).owner, cost, now);
}

/** `spendCredits` from charge `start` on, awaiting each spend; the charges before it are spent. */
async function spendFrom(
  ledger: CreditLedger,
  charges: readonly CreditCharge[],
  start: number,
  spentSoFar: number | null,
  cost: number,
  now: number,
): Promise<CreditOutcome> {
  let remaining = spentSoFar;
  for (let i = start; i < charges.length; i++) {
    const charge = charges[i] as CreditCharge;
    const spent = checkQuota(charge, await ledger.spend(charge.owner, cost, now));
    if (!spent.ok) {
      await refundBefore(ledger, charges, i, cost, now);
      return refused(charge, spent.remaining, now);
    }
    remaining = smaller(remaining, spent.remaining);
  }
  return { ok: true, remaining, retryAfterMs: null };
}

/**
 * A charge with a quota configured whose ledger has no balance for it is refused as empty:
 * a missing balance row never turns a quota into "unlimited" (admin writes commit the key
 * and its balance together; should a row go missing anyway, the key fails closed).
 */
function checkQuota(charge: CreditCharge, spent: CreditSpend): CreditSpend {
  return charge.config !== null && spent.remaining === Number.POSITIVE_INFINITY
    ? { ok: false, remaining: 0 }
    : spent;
}

const isPromise = <T>(value: Answer<T>): value is Promise<T> => value instanceof Promise;

/**
 * Spends `cost` from each charge in order (the key's credits, then its consumer's). When one
 * is short after earlier ones were charged, those are refunded: a denied verification never
 * spends credits. A `memory` ledger spends a loaded balance at once, outside `guard` (memory
 * has no deadline to miss); from the first spend that answers with a promise, the rest runs
 * under `guard` and the result is a native promise. With every balance in memory, the
 * outcome itself is returned.
 */
export function spendCredits(
  ledger: CreditLedger,
  charges: readonly CreditCharge[],
  cost: number,
  now: number,
  guard: LedgerGuard,
): Answer<CreditOutcome> {
  if (ledger.kind === 'durable') return guard(() => spendFrom(ledger, charges, 0, null, cost, now));
  let remaining: number | null = null;
  for (let i = 0; i < charges.length; i++) {
    const charge = charges[i] as CreditCharge;
    const answer = ledger.spend(charge.owner, cost, now);
    if (isPromise(answer)) {
      const spentSoFar = remaining;
      // This charge's spend is under way: wait for it (under the deadline), then go on.
      return guard(async () => {
        const spent = checkQuota(charge, await answer);
        if (!spent.ok) {
          await refundBefore(ledger, charges, i, cost, now);
          return refused(charge, spent.remaining, now);
        }
        return spendFrom(ledger, charges, i + 1, smaller(spentSoFar, spent.remaining), cost, now);
      });
    }
    const spent = checkQuota(charge, answer);
    if (!spent.ok) {
      const outcome = refused(charge, spent.remaining, now);
      if (i === 0 || cost === 0) return outcome;
      return guard(() => refundBefore(ledger, charges, i, cost, now).then(() => outcome));
    }
    remaining = smaller(remaining, spent.remaining);
  }
  return { ok: true, remaining, retryAfterMs: null };
}
