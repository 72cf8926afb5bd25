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
 * (`memory-counter-store.ts`), Redis; both pass `counter-store.conformance.ts`, and so
 * does the resilient wrapper production puts around Redis.
 *
 * A store says how it answers with `kind`, and the type holds it to that: a `sync` store's
 * `consume` returns the results themselves (the engine then spends no promise and no
 * microtask on the limits), an `async` store's a promise. A wrapper declares its own kind;
 * one that awaits anything is `async` (the compiler refuses a `sync` store whose `consume`
 * returns a promise, spread from another store or not).
 */
export type CounterStore = SyncCounterStore | AsyncCounterStore;

interface CounterStoreBase {
  /** Forgets a counter (e.g. the limit was removed or changed). */
  reset(counter: string): Promise<void>;
  close(): Promise<void>;
}

/** Counters in this process's memory: decided at once. */
export interface SyncCounterStore extends CounterStoreBase {
  readonly kind: 'sync';
  /** Results in the order of `checks`, returned (or thrown) at once. An empty list admits. */
  consume(checks: readonly LimitCheck[], now: number): LimitResult[];
}

/** Counters across a network (Redis), or any wrapper that waits. */
export interface AsyncCounterStore extends CounterStoreBase {
  readonly kind: 'async';
  /** Results in the order of `checks`. An empty list admits. */
  consume(checks: readonly LimitCheck[], now: number): Promise<LimitResult[]>;
}
