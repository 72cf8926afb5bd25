import type { LimitCheck, LimitResult } from '../contracts/counter-store.js';
import { KeywardError } from '../contracts/errors.js';
import type { RateLimitConfig } from '../contracts/model.js';

/**
 * Rate-limit decisions as pure functions: no I/O, no clock. A `CounterStore` reads the
 * states, calls `decideAll`, and writes `writes` back in one atomic step. The Redis adapter
 * ports this arithmetic to Lua; both must pass `counter-store.conformance.ts`. All numbers
 * are IEEE doubles (Lua numbers too); keep the operation order below to get identical bits.
 * `d` = duration, `L` = limit, `c` = cost, `now` = epoch ms.
 *
 * sliding_window (state `{ algorithm, duration, window, prev, curr }`)
 *   1. w = floor(now / d). A state of another algorithm or duration counts as absent
 *      (prev = curr = 0, window = w). If w < state.window (this clock is behind the one that
 *      wrote the state) then w = state.window. If w == state.window + 1 then prev = curr,
 *      curr = 0; if w > state.window + 1 then prev = curr = 0.
 *   2. start = w * d; elapsed = max(0, now - start);
 *      estimate = prev * (1 - elapsed / d) + curr.
 *   3. admitted = (c == 0) or (estimate + c <= L); when admitted, curr = curr + c.
 *   4. remaining = max(0, floor(L - estimate - (admitted ? c : 0))).
 *   5. wait(u) (units u <= L, from the state after step 3; it does not fit at now): with
 *      r = L - u: t = start + ceil(d * (1 - (r - curr) / prev)) if curr <= r, else
 *      t = start + d + ceil(d * (1 - r / curr)); t = max(t, now + 1) (and now + 1 if t is not
 *      a number). Float correction (each loop runs at most a step or two): while u does not
 *      fit at t, t = t + 1; then while t - 1 > now and u fits at t - 1, t = t - 1, where "u
 *      fits at x" means the state after step 3, re-read at x by steps 1-2, gives
 *      estimate + u <= L. wait(u) = t.
 *   6. retryAfterMs = 0 when admitted; 2 * d when c > L (never admissible: a sentinel);
 *      otherwise wait(c) - now.
 *   7. reset: when remaining = 0, the earliest time one more unit fits: wait(1), or
 *      now + 2 * d when L = 0 (never). Otherwise when the limit is whole again: (w + 2) * d
 *      if curr > 0, else (w + 1) * d if prev > 0, else now (curr, prev after step 3).
 *
 * token_bucket (state `{ algorithm, tokens, updatedAt }`; capacity L, refill L / d per ms)
 *   1. Absent or other-algorithm state: tokens = L, updatedAt = now. Otherwise
 *      at = max(now, state.updatedAt); tokens = min(L, state.tokens + (at - state.updatedAt) * L / d);
 *      updatedAt = at.
 *   2. admitted = (c == 0) or (tokens >= c); when admitted, tokens = tokens - c.
 *   3. remaining = max(0, floor(tokens)).
 *   4. wait(u) (u <= L units that do not fit now), from the base B = the state after step 2
 *      when admitted (or when no bucket state was given), else the given state: t =
 *      max(B.updatedAt + ceil((u - B.tokens) * d / L), now + 1); then, with "u fits at x"
 *      meaning min(L, B.tokens + (max(x, B.updatedAt) - B.updatedAt) * L / d) >= u: while u
 *      does not fit at t, t = t + 1; while t - 1 > now and u fits at t - 1, t = t - 1. (Fits
 *      reads B as step 1 will at x, so the next decision agrees to the millisecond.)
 *   5. retryAfterMs = 0 when admitted; 2 * d when c > L; otherwise wait(c) - now.
 *   6. reset: when remaining = 0, wait(1) (now + 2 * d when L = 0); otherwise when the bucket
 *      is full again: updatedAt if tokens >= L, else wait(L).
 *
 * So `reset` never lies about the next admission: while nothing is left it is the moment a
 * unit fits again (the `Retry-After` of a cost-1 request), and `decideAll` gives a limit
 * that denied the moment its cost fits again. A `RateLimit` header built from it agrees
 * with `Retry-After`.
 *
 * Tokens are fractional: an adapter stores them at full precision (`%.17g`).
 */

/** What a counter store keeps per counter (plain JSON-able data). */
export type CounterState =
  | {
      algorithm: 'sliding_window';
      /** The window length the counts were taken with. */
      duration: number;
      /** Index of the current fixed window: floor(time / duration). */
      window: number;
      /** Units admitted in window `window - 1`. */
      prev: number;
      /** Units admitted in window `window`. */
      curr: number;
    }
  | {
      algorithm: 'token_bucket';
      /** Tokens left at `updatedAt` (fractional). */
      tokens: number;
      /** Epoch ms of the last update. */
      updatedAt: number;
    };

export interface RateLimitDecision {
  admitted: boolean;
  /** The state to store after this decision; when denied, the one given (a token bucket's, as given; a window's, rolled to now). */
  state: CounterState;
  remaining: number;
  /** Epoch ms: with nothing remaining, when one unit fits again; otherwise when the limit is whole again. */
  reset: number;
  /** 0 when admitted; when denied, ms until the same cost would be admitted (2 × duration if it never can). */
  retryAfterMs: number;
}

type Sliding = Extract<CounterState, { algorithm: 'sliding_window' }>;
type Bucket = Extract<CounterState, { algorithm: 'token_bucket' }>;

// States are built with this literal, never `{ ...state, field }`: on Node 20 such a spread
// costs some 15 times as much, and it runs for every limit of every verification.
const sliding = (duration: number, window: number, prev: number, curr: number): Sliding => ({
  algorithm: 'sliding_window',
  duration,
  window,
  prev,
  curr,
});

const rollWindow = (d: number, state: CounterState | null, now: number): Sliding => {
  const w = Math.floor(now / d);
  if (state?.algorithm !== 'sliding_window' || state.duration !== d) return sliding(d, w, 0, 0);
  if (w <= state.window) return state;
  if (w === state.window + 1) return sliding(d, w, state.curr, 0);
  return sliding(d, w, 0, 0);
};

const estimateOf = (s: Sliding, now: number): number => {
  const elapsed = Math.max(0, now - s.window * s.duration);
  return s.prev * (1 - elapsed / s.duration) + s.curr;
};

/**
 * The most units that fit: the largest r with `used + r <= limit`, tested exactly as
 * admission tests it (the same doubles). `floor(limit - used)` alone can be one off: with
 * used = 9 × (1 − 529/1587) = 6.000000000000001, 9 − used floors to 2 while 6.000000000000001
 * + 3 rounds to 9 and is admitted.
 */
const room = (limit: number, used: number): number => {
  let r = Math.max(0, Math.floor(limit - used));
  while (used + (r + 1) <= limit) r += 1;
  while (r > 0 && used + r > limit) r -= 1;
  return r;
};

/** Step 5 of sliding_window: the earliest time `units` fit, from a state rolled at `now`. */
function slidingWait(limit: number, d: number, s: Sliding, units: number, now: number): number {
  const start = s.window * d;
  const r = limit - units;
  let t =
    s.curr <= r
      ? start + Math.ceil(d * (1 - (r - s.curr) / s.prev))
      : start + d + Math.ceil(d * (1 - r / s.curr));
  const fits = (at: number) => estimateOf(rollWindow(d, s, at), at) + units <= limit;
  t = Number.isNaN(t) ? now + 1 : Math.max(t, now + 1);
  while (!fits(t)) t += 1;
  while (t - 1 > now && fits(t - 1)) t -= 1;
  return t;
}

function decideSliding(
  config: RateLimitConfig,
  state: CounterState | null,
  cost: number,
  now: number,
): RateLimitDecision {
  const { limit, duration: d } = config;
  const s = rollWindow(d, state, now);
  const estimate = estimateOf(s, now);
  const admitted = cost === 0 || estimate + cost <= limit;
  const next = admitted && cost > 0 ? sliding(d, s.window, s.prev, s.curr + cost) : s;
  // What the next decision will read (the state after this one, at the same time).
  const remaining = room(limit, admitted && cost > 0 ? estimateOf(next, now) : estimate);
  const reset =
    remaining === 0
      ? limit === 0
        ? now + 2 * d
        : slidingWait(limit, d, next, 1, now)
      : next.curr > 0
        ? (next.window + 2) * d
        : next.prev > 0
          ? (next.window + 1) * d
          : now;
  if (admitted) return { admitted, state: next, remaining, reset, retryAfterMs: 0 };
  if (cost > limit) return { admitted, state: next, remaining, reset, retryAfterMs: 2 * d };
  return {
    admitted,
    state: next,
    remaining,
    reset,
    retryAfterMs: slidingWait(limit, d, next, cost, now) - now,
  };
}

/**
 * Step 4 of token_bucket: the earliest time `units` fit, re-reading `base` (the state the next
 * decision will read) at each time exactly as that decision will (same doubles).
 */
function bucketWait(limit: number, d: number, base: Bucket, units: number, now: number): number {
  let t = Math.max(base.updatedAt + Math.ceil(((units - base.tokens) * d) / limit), now + 1);
  // Top-level helper, no closure: this runs on every verification with a token bucket.
  while (!bucketFits(limit, d, base, units, t)) t += 1;
  while (t - 1 > now && bucketFits(limit, d, base, units, t - 1)) t -= 1;
  return t;
}

/** "units fit at `at`": the bucket `base`, re-read at `at` as step 1 reads it. */
const bucketFits = (limit: number, d: number, base: Bucket, units: number, at: number): boolean =>
  Math.min(limit, base.tokens + ((Math.max(at, base.updatedAt) - base.updatedAt) * limit) / d) >= units;

function decideBucket(
  config: RateLimitConfig,
  state: CounterState | null,
  cost: number,
  now: number,
): RateLimitDecision {
  const { limit, duration: d } = config;
  let tokens = limit;
  let updatedAt = now;
  if (state?.algorithm === 'token_bucket') {
    updatedAt = Math.max(now, state.updatedAt);
    tokens = Math.min(limit, state.tokens + ((updatedAt - state.updatedAt) * limit) / d);
  }
  const admitted = cost === 0 || tokens >= cost;
  if (admitted) tokens -= cost;
  const next: Bucket = { algorithm: 'token_bucket', tokens, updatedAt };
  // What the next decision reads: this one's state if it charged, else the stored one.
  const base = admitted || state?.algorithm !== 'token_bucket' ? next : state;
  const remaining = Math.max(0, Math.floor(tokens));
  const reset =
    remaining === 0
      ? limit === 0
        ? now + 2 * d
        : bucketWait(limit, d, base, 1, now)
      : tokens >= limit
        ? updatedAt
        : bucketWait(limit, d, base, limit, now);
  if (admitted) return { admitted, state: next, remaining, reset, retryAfterMs: 0 };
  // Denied: the state is the one given, as it stays stored.
  if (cost > limit) return { admitted, state: base, remaining, reset, retryAfterMs: 2 * d };
  return {
    admitted,
    state: base,
    remaining,
    reset,
    retryAfterMs: bucketWait(limit, d, base, cost, now) - now,
  };
}

/**
 * Decides one limit for one request (see the module comment for the exact arithmetic).
 * Cost 0 never consumes and is always admitted; it reports `remaining`.
 *
 * @throws KeywardError `VALIDATION` when `cost` or `limit` is not a non-negative safe integer,
 *   or `duration` not a positive one.
 * @example
 * const d = decide({ name: 'rpm', limit: 60, duration: 60_000, algorithm: 'sliding_window' }, null, 1, Date.now());
 * // d.admitted === true, d.remaining === 59; store d.state for the next call
 */
export function decide(
  config: RateLimitConfig,
  state: CounterState | null,
  cost: number,
  now: number,
): RateLimitDecision {
  if (!Number.isSafeInteger(cost) || cost < 0) {
    throw new KeywardError('VALIDATION', 'ratelimit cost must be a non-negative integer', { field: 'cost' });
  }
  if (
    !Number.isSafeInteger(config.limit) ||
    config.limit < 0 ||
    !Number.isSafeInteger(config.duration) ||
    config.duration < 1
  ) {
    throw new KeywardError(
      'VALIDATION',
      `ratelimit "${config.name}" needs an integer limit >= 0 and duration >= 1`,
      {
        field: 'ratelimits',
      },
    );
  }
  return config.algorithm === 'token_bucket'
    ? decideBucket(config, state, cost, now)
    : decideSliding(config, state, cost, now);
}

/**
 * Epoch ms from which the state is indistinguishable from no state at all, so an adapter
 * may drop it (memory sweep, Redis `PEXPIREAT`).
 *
 * @example stateExpiresAt(config, decision.state)
 */
export function stateExpiresAt(config: RateLimitConfig, state: CounterState): number {
  if (state.algorithm === 'sliding_window') return (state.window + 2) * state.duration;
  const { limit, duration } = config;
  return state.tokens >= limit
    ? state.updatedAt
    : state.updatedAt + Math.ceil(((limit - state.tokens) * duration) / limit);
}

export interface BatchDecision {
  /** True when every check admitted its cost. */
  admitted: boolean;
  /** One per check, in order. */
  results: LimitResult[];
  /** States to store when admitted (counters with a cost > 0); empty when denied. */
  writes: Map<string, CounterState>;
}

/** Where `decideAll` reads the stored states: a `Map`, or a view over an adapter's own entries. */
export interface StoredStates {
  get(counter: string): CounterState | undefined;
}

/**
 * All-or-nothing over several limits (the semantics of `CounterStore.consume`):
 * 1. Decide each check in order; a counter named twice sees the state left by its earlier check.
 * 2. If every check admitted: results are those decisions; `writes` holds every counter charged.
 * 3. Otherwise nothing is charged: each result keeps its own `admitted` and `retryAfterMs`
 *    (0 for checks that alone would have admitted); `remaining` comes from a cost-0 decision
 *    on the original state, and so does `reset`, except for a check that denied: its reset
 *    is `now + retryAfterMs`, when its cost fits again. `writes` is empty.
 *
 * @example
 * const { admitted, results, writes } = decideAll(checks, new Map(stored), now);
 */
export function decideAll(checks: readonly LimitCheck[], states: StoredStates, now: number): BatchDecision {
  // Plain loops, no closures: this runs on every verification that applies limits.
  const decisions = new Array<RateLimitDecision>(checks.length);
  let admitted = true;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i] as LimitCheck;
    const before = chargedBefore(checks, decisions, i) ?? states.get(check.counter) ?? null;
    const decision = decide(check.config, before, check.cost, now);
    if (!decision.admitted) admitted = false;
    decisions[i] = decision;
  }
  const results = new Array<LimitResult>(checks.length);
  const writes = new Map<string, CounterState>();
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i] as LimitCheck;
    const d = decisions[i] as RateLimitDecision;
    const shown = admitted ? d : decide(check.config, states.get(check.counter) ?? null, 0, now);
    // A counter charged twice keeps the place of its first charge and the state of its last.
    if (admitted && check.cost > 0) writes.set(check.counter, d.state);
    results[i] = {
      counter: check.counter,
      admitted: d.admitted,
      limit: check.config.limit,
      remaining: shown.remaining,
      reset: d.admitted ? shown.reset : now + d.retryAfterMs,
      resetAfterMs: d.admitted ? Math.max(0, shown.reset - now) : d.retryAfterMs,
      retryAfterMs: d.retryAfterMs,
    };
  }
  return { admitted, results, writes };
}

/** The state left by the latest check before `i` that charged the same counter, if any. */
function chargedBefore(
  checks: readonly LimitCheck[],
  decisions: readonly RateLimitDecision[],
  i: number,
): CounterState | null {
  const counter = (checks[i] as LimitCheck).counter;
  for (let j = i - 1; j >= 0; j--) {
    const earlier = checks[j] as LimitCheck;
    const decision = decisions[j] as RateLimitDecision;
    if (earlier.cost > 0 && decision.admitted && earlier.counter === counter) return decision.state;
  }
  return null;
}
