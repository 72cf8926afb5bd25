import { KeywardError } from '../contracts/errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call goes through (half-open). Default 1000 ms. */
  resetMs?: number;
}

/** Permission for one call; hand it back with the call's outcome. */
export interface Permit {
  readonly trial: boolean;
}

export interface CircuitBreaker {
  /** A permit when the call may go to the dependency; null to fail fast (open, or a trial already running). */
  acquire(): Permit | null;
  /** `neutral`: the call ended without telling whether the dependency works (e.g. a validation error). */
  report(permit: Permit, outcome: 'success' | 'failure' | 'neutral'): void;
  state(): CircuitState;
  /** Ms until the next trial may run (0 unless open). */
  retryAfterMs(): number;
}

/**
 * A consecutive-failure circuit breaker: closed → (N failures in a row) → open for `resetMs`
 * → half-open: exactly one trial call; its success closes the circuit, its failure opens it
 * again. Outcomes of calls that started before the circuit opened do not move it.
 *
 * @example
 * const breaker = createCircuitBreaker({ failureThreshold: 5, resetMs: 1000 }, Date.now, (s) => log(s));
 */
export function createCircuitBreaker(
  options: CircuitBreakerOptions,
  clock: () => number,
  onStateChange: (state: CircuitState) => void,
): CircuitBreaker {
  const { failureThreshold = 5, resetMs = 1000 } = options;
  if (!Number.isSafeInteger(failureThreshold) || failureThreshold < 1) {
    throw new KeywardError('VALIDATION', 'breaker.failureThreshold must be a positive integer', {
      field: 'breaker.failureThreshold',
    });
  }
  if (!Number.isFinite(resetMs) || resetMs < 0) {
    throw new KeywardError('VALIDATION', 'breaker.resetMs must be >= 0', { field: 'breaker.resetMs' });
  }
  let state: CircuitState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let trialRunning = false;
  /** Bumped on every transition, so late outcomes of older calls are ignored. */
  let epoch = 0;
  const permits = new WeakMap<Permit, number>();

  const moveTo = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    epoch++;
    if (next === 'open') openedAt = clock();
    if (next !== 'half-open') trialRunning = false;
    onStateChange(next);
  };
  const issue = (trial: boolean): Permit => {
    const permit = { trial };
    permits.set(permit, epoch);
    return permit;
  };

  return {
    acquire() {
      if (state === 'open' && clock() - openedAt >= resetMs) moveTo('half-open');
      if (state === 'closed') return issue(false);
      if (state === 'half-open' && !trialRunning) {
        trialRunning = true;
        return issue(true);
      }
      return null;
    },
    report(permit, outcome) {
      if (permits.get(permit) !== epoch) return;
      permits.delete(permit);
      if (permit.trial) {
        if (outcome === 'success') {
          failures = 0;
          moveTo('closed');
        } else if (outcome === 'failure') moveTo('open');
        else trialRunning = false;
        return;
      }
      if (outcome === 'success') failures = 0;
      if (outcome === 'failure' && ++failures >= failureThreshold) {
        failures = 0;
        moveTo('open');
      }
    },
    state: () => (state === 'open' && clock() - openedAt >= resetMs ? 'half-open' : state),
    retryAfterMs: () => (state === 'open' ? Math.max(0, openedAt + resetMs - clock()) : 0),
  };
}
