import type { CounterStore, LimitCheck } from './counter-store.js';
import { KeywardError } from './errors.js';
import type { CreditsConfig } from './model.js';
import { nextRefillAt } from './quota.js';
import type { AppliedLimit, ResolvedKey } from './resolved-key.js';
import type { CreditLedger, CreditOwner } from './store.js';
import type { RateLimitState } from './verify-result.js';

/**
 * The two counting steps of verification: rate limits, then credits. Each is skipped
 * (no await) by the caller when the key has nothing to count.
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
 * twice adds its costs).
 */
export function selectLimits(
  view: ResolvedKey,
  requested: RequestedLimits,
): { limits: readonly AppliedLimit[]; checks: readonly LimitCheck[] } {
  if (requested === null) return { limits: view.limits, checks: view.defaultChecks };
  const limits: AppliedLimit[] = [];
  const checks: LimitCheck[] = [];
  for (const limit of view.limits) {
    let named = false;
    let cost = 0;
    for (const wanted of requested) {
      if (wanted.name !== limit.name) continue;
      named = true;
      cost += wanted.cost;
    }
    if (!named) continue;
    limits.push(limit);
    checks.push(cost === 1 ? limit.check : { ...limit.check, cost });
  }
  return { limits, checks };
}

export interface RateLimitOutcome {
  admitted: boolean;
  states: RateLimitState[];
  /** When denied: the longest wait among the limits that denied. */
  retryAfterMs: number;
}

/** Applies the limits in one atomic `consume`: all are charged, or none. */
export async function applyRateLimits(
  counters: CounterStore,
  limits: readonly AppliedLimit[],
  checks: readonly LimitCheck[],
  now: number,
): Promise<RateLimitOutcome> {
  const results = await counters.consume(checks, now);
  let admitted = true;
  let retryAfterMs = 0;
  const states: RateLimitState[] = [];
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    const limit = limits[i];
    if (result === undefined || limit === undefined) continue;
    if (!result.admitted) {
      admitted = false;
      if (result.retryAfterMs > retryAfterMs) retryAfterMs = result.retryAfterMs;
    }
    states.push({
      name: limit.name,
      limit: result.limit,
      remaining: result.remaining,
      reset: result.reset,
      scope: limit.scope,
    });
  }
  return { admitted, states, retryAfterMs };
}

export interface CreditOutcome {
  ok: boolean;
  /** The smaller balance of the owners charged; null when none has a balance (unlimited). */
  remaining: number | null;
  /** When refused: ms until the short owner's next refill; null without a refill or for interval refills (their phase lives in the ledger). */
  retryAfterMs: number | null;
}

function untilRefill(config: CreditsConfig | null, now: number): number | null {
  if (config === null || config.refill === null || typeof config.refill.interval === 'number') return null;
  const next = nextRefillAt(config, now);
  return next === null ? null : next - now;
}

const smaller = (a: number | null, b: number): number | null =>
  Number.isFinite(b) ? (a === null ? b : Math.min(a, b)) : a;

/**
 * Spends `cost` from the key's credits, then from its consumer's. When the consumer is
 * short after the key was charged, the key's spend is refunded: a denied verification
 * never spends credits.
 */
export async function spendCredits(
  ledger: CreditLedger,
  view: ResolvedKey,
  cost: number,
  now: number,
): Promise<CreditOutcome> {
  const owners: CreditOwner[] = [];
  if (view.keyCredits) owners.push({ kind: 'key', id: view.keyId });
  if (view.consumerCredits && view.consumerId !== null)
    owners.push({ kind: 'consumer', id: view.consumerId });
  let remaining: number | null = null;
  const charged: CreditOwner[] = [];
  for (const owner of owners) {
    const spent = await ledger.spend(owner, cost, now);
    if (!spent.ok) {
      for (const done of charged) await ledger.refund(done, cost, now);
      const config = owner.kind === 'key' ? view.key.credits : (view.consumer?.credits ?? null);
      return { ok: false, remaining: spent.remaining, retryAfterMs: untilRefill(config, now) };
    }
    if (cost > 0) charged.push(owner);
    remaining = smaller(remaining, spent.remaining);
  }
  return { ok: true, remaining, retryAfterMs: null };
}
