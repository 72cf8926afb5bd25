import type { RateLimitConfig } from './model.js';

/** One limit to apply in a verification: the limit's owner, its config and this request's cost. */
export interface LimitCheck {
  /** Stable counter identity, e.g. `key:<keyId>:<name>` or `consumer:<consumerId>:<name>`. */
  counter: string;
  config: RateLimitConfig;
  /** Units this request takes; 0 only reads. */
  cost: number;
}

export interface LimitResult {
  counter: string;
  admitted: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms: with nothing remaining, when one unit fits again (a check that denied: when its cost does); else when the limit is whole again. */
  reset: number;
  /** `reset - now` by the store's own clock (the Redis clock may differ from the caller's). */
  resetAfterMs: number;
  /** When denied: ms until this limit could admit the same cost again. */
  retryAfterMs: number;
  /** True when the counters were unavailable and the limit failed open: admitted without counting. */
  degraded?: boolean;
}

/**
 * Rate-limit counters. `consume` is atomic over all the checks given: if every limit
 * admits its cost, all are charged; if any denies, none is charged. The decision itself
 * comes from the pure functions in `rate-limit.ts`; an adapter only applies it atomically
 * (one synchronous step in memory, one Lua script in Redis). Implementations: memory
 * (`memory-counter-store.ts`), Redis; both pass `counter-store.conformance.ts`.
 */
export interface CounterStore {
  /** Results in the order of `checks`. An empty list admits. */
  consume(checks: readonly LimitCheck[], now: number): Promise<LimitResult[]>;
  /**
   * Optional: `consume` for stores that decide in this process's memory, same contract but
   * returning (or throwing) at once; the engine prefers it, saving a promise and a microtask
   * per verification. A wrapper that changes `consume` must wrap or leave out this too.
   */
  consumeSync?(checks: readonly LimitCheck[], now: number): LimitResult[];
  /** Forgets a counter (e.g. the limit was removed or changed). */
  reset(counter: string): Promise<void>;
  close(): Promise<void>;
}
