import { isKeywardError, KeywardError } from '../contracts/errors.js';
import { type CircuitBreakerOptions, type CircuitState, createCircuitBreaker } from './circuit-breaker.js';

export interface DependencyGuardOptions {
  /** Names the dependency in error messages, e.g. `key store`. */
  name: string;
  /** Deadline per call in ms; a slower call fails and counts as a failure. */
  timeoutMs: number;
  /** When to stop calling a failing dependency, and when to try again. Default: 5 failures, 1000 ms. */
  breaker?: CircuitBreakerOptions;
  /** Clock of the breaker. Default `Date.now`. */
  clock?: () => number;
  /** Told about every breaker transition (`open`: the dependency is failing). Default: ignore. */
  onStateChange?: (state: CircuitState) => void;
}

export interface DependencyGuard {
  /**
   * Runs `call` under the deadline and the breaker. Any failure of the dependency (an
   * error, an UNAVAILABLE from below, the deadline, an open circuit) throws
   * `KeywardError('UNAVAILABLE')` naming the dependency, with the original as `cause`; a
   * `KeywardError` other than UNAVAILABLE is the caller's fault and is rethrown as is,
   * without moving the breaker.
   */
  run<T>(call: () => Promise<T>): Promise<T>;
  state(): CircuitState;
}

/**
 * A deadline and a circuit breaker around calls to one dependency, so that a slow or dead
 * one costs a caller at most `timeoutMs`, and nothing at all once the circuit is open:
 * after `failureThreshold` consecutive failures calls fail at once for `resetMs`, then one
 * trial call goes through and its success closes the circuit (recovery needs no restart).
 * A call that missed its deadline cannot be cancelled and may still land later.
 *
 * @example
 * const guard = createDependencyGuard({ name: 'key store', timeoutMs: 1000 });
 * const found = await guard.run(() => store.keys.findByDigest(digest));
 */
export function createDependencyGuard(options: DependencyGuardOptions): DependencyGuard {
  const { name, timeoutMs, clock = Date.now, onStateChange = () => {} } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new KeywardError('VALIDATION', 'storeTimeoutMs must be > 0', { field: 'storeTimeoutMs' });
  }
  const breaker = createCircuitBreaker(options.breaker ?? {}, clock, onStateChange);
  const unavailable = (detail: string, cause?: unknown) =>
    new KeywardError('UNAVAILABLE', `${name} unavailable: ${detail}`, cause === undefined ? {} : { cause });

  const withDeadline = <T>(promise: Promise<T>): Promise<T> => {
    // The late outcome of a call past its deadline is nobody's: never leave it unhandled.
    promise.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
  };

  return {
    async run(call) {
      const permit = breaker.acquire();
      if (permit === null) throw unavailable(`circuit open, next try in ${breaker.retryAfterMs()} ms`);
      try {
        const value = await withDeadline(call());
        breaker.report(permit, 'success');
        return value;
      } catch (error) {
        if (isKeywardError(error) && error.code !== 'UNAVAILABLE') {
          breaker.report(permit, 'neutral');
          throw error;
        }
        breaker.report(permit, 'failure');
        throw unavailable('the call failed', error);
      }
    },
    state: () => breaker.state(),
  };
}
