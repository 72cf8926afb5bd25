import type { AsyncCounterStore, CounterStore, LimitResult } from '../contracts/counter-store.js';
import { isKeywardError, KeywardError } from '../contracts/errors.js';
import { type CircuitBreakerOptions, type CircuitState, createCircuitBreaker } from './circuit-breaker.js';

export interface ResilientCounterStoreOptions {
  /** The store that may fail (Redis). */
  inner: CounterStore;
  /**
   * While the inner store fails: `open` admits every check with `remaining = limit` and
   * `degraded: true`; `closed` throws `KeywardError('UNAVAILABLE')` (the edge answers 503
   * with Retry-After). Authentication never depends on this choice.
   */
  failMode: 'open' | 'closed';
  /** Deadline per call in ms; a slower call counts as a failure. Default 50. */
  timeoutMs?: number;
  /** When to stop calling a failing store, and when to try again. */
  breaker?: CircuitBreakerOptions;
  /** Told about every failed or timed-out call (not about calls skipped while open): log it, count it. Default: ignore. */
  onError?: (error: unknown) => void;
  /** Told about every breaker transition (`open` = counters unavailable). Default: ignore. */
  onStateChange?: (state: CircuitState) => void;
  /** Clock of the breaker. Default `Date.now`. */
  clock?: () => number;
}

export interface ResilientCounterStore extends AsyncCounterStore {
  /** `closed` while healthy; for `/readyz` and metrics. */
  circuitState(): CircuitState;
}

class Timeout extends Error {
  constructor(ms: number) {
    super(`counter store call exceeded ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> => {
  // The slow call cannot be cancelled: it may still land later (a late charge). Never leave its rejection unhandled.
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
};

/** Failures the caller made (bad input) say nothing about the dependency's health. */
const isCallerError = (error: unknown): boolean => isKeywardError(error) && error.code !== 'UNAVAILABLE';

/**
 * Wraps a `CounterStore` that lives across a network so that a slow or dead dependency
 * cannot stall verification: each call has a deadline, and after `failureThreshold`
 * consecutive failures a circuit breaker stops calling for `resetMs`, then lets one trial
 * call through; its success closes the circuit again (recovery needs no restart). While
 * failing, limits fail open (admitted, flagged `degraded`) or closed (UNAVAILABLE), per
 * `failMode`. `reset` fails with UNAVAILABLE in both modes.
 *
 * @example
 * const counters = createResilientCounterStore({ inner: createRedisCounterStore({ redis }), failMode: 'open',
 *   onError: (error) => log.warn({ err: error }, 'rate limiter degraded') });
 */
export function createResilientCounterStore(options: ResilientCounterStoreOptions): ResilientCounterStore {
  const {
    inner,
    failMode,
    timeoutMs = 50,
    onError = () => {},
    onStateChange = () => {},
    clock = Date.now,
  } = options;
  if (failMode !== 'open' && failMode !== 'closed') {
    throw new KeywardError('VALIDATION', 'failMode must be "open" or "closed"', { field: 'failMode' });
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new KeywardError('VALIDATION', 'timeoutMs must be > 0', { field: 'timeoutMs' });
  }
  const breaker = createCircuitBreaker(options.breaker ?? {}, clock, onStateChange);

  const unavailable = (cause: unknown) =>
    new KeywardError('UNAVAILABLE', 'rate limiter unavailable', { cause });

  /** Runs `call` through the breaker; resolves `{ ok: false }` when the dependency failed or was skipped. */
  const guarded = async <T>(
    call: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> => {
    const permit = breaker.acquire();
    if (permit === null) {
      return { ok: false, error: new Error(`circuit open; next trial in ${breaker.retryAfterMs()} ms`) };
    }
    try {
      const value = await withTimeout(call(), timeoutMs);
      breaker.report(permit, 'success');
      return { ok: true, value };
    } catch (error) {
      if (isCallerError(error)) {
        breaker.report(permit, 'neutral');
        throw error;
      }
      breaker.report(permit, 'failure');
      onError(error);
      return { ok: false, error };
    }
  };

  return {
    kind: 'async',

    async consume(checks, now) {
      if (checks.length === 0) return [];
      // `async`: a sync inner's answer (or throw) becomes a promise like a remote one's.
      const outcome = await guarded(async () => inner.consume(checks, now));
      if (outcome.ok) return outcome.value;
      if (failMode === 'closed') throw unavailable(outcome.error);
      return checks.map(
        ({ counter, config }): LimitResult => ({
          counter,
          admitted: true,
          limit: config.limit,
          remaining: config.limit,
          reset: now + config.duration,
          resetAfterMs: config.duration,
          retryAfterMs: 0,
          degraded: true,
        }),
      );
    },

    async reset(counter) {
      const outcome = await guarded(() => inner.reset(counter));
      if (!outcome.ok) throw unavailable(outcome.error);
    },

    circuitState: () => breaker.state(),

    close: () => inner.close(),
  };
}
