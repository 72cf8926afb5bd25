import type { CounterStore, LimitCheck, LimitResult } from './counter-store.js';
import { KeywardError } from './errors.js';
import { type CounterState, decideAll, stateExpiresAt } from './rate-limit.js';

export interface MemoryCounterStoreOptions {
  /**
   * Most counters kept at once. Past it the least recently charged counter is dropped,
   * which forgets its usage (that counter admits a little more than it should), so size it
   * above (active keys × limits per key). Default 1_000_000 (roughly 150 MB when full).
   */
  maxCounters?: number;
}

/** The memory store also tells how many counters it holds (for metrics and tests). */
export interface MemoryCounterStore extends CounterStore {
  /** Counters currently held, including expired ones the sweep has not reached yet. */
  size(): number;
}

interface Entry {
  state: CounterState;
  /** Epoch ms from which the state equals no state (see `stateExpiresAt`). */
  expiresAt: number;
}

/** Entries examined for expiry per `consume` call: sweeps the whole map every size/4 calls. */
const SWEEP_STEP = 4;

/**
 * Rate-limit counters in this process's memory: exact within one process, lost on restart.
 * Each `consume` reads, decides and writes in one synchronous step (no `await` in between),
 * so concurrent calls are serialized by the event loop and 10 × L concurrent requests admit
 * exactly L. Idle counters expire: an incremental sweep drops states that `stateExpiresAt`
 * says are equivalent to no state, and `maxCounters` bounds the map.
 *
 * @example
 * const counters = createMemoryCounterStore();
 * const [result] = await counters.consume([{ counter: 'key:key_1:rpm', config, cost: 1 }], Date.now());
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions = {}): MemoryCounterStore {
  const { maxCounters = 1_000_000 } = options;
  if (!Number.isSafeInteger(maxCounters) || maxCounters < 1) {
    throw new KeywardError('VALIDATION', 'maxCounters must be a positive integer', { field: 'maxCounters' });
  }
  // Insertion order = order of last write (each write re-inserts), so the first entry is the
  // least recently charged one.
  const entries = new Map<string, Entry>();
  let sweep: Iterator<[string, Entry]> = entries.entries();
  let closed = false;

  const sweepSome = (now: number): void => {
    for (let i = 0; i < SWEEP_STEP; i++) {
      let next = sweep.next();
      if (next.done) {
        sweep = entries.entries();
        next = sweep.next();
        if (next.done) return;
      }
      const [counter, entry] = next.value;
      if (entry.expiresAt <= now) entries.delete(counter);
    }
  };

  const consumeNow = (checks: readonly LimitCheck[], now: number): LimitResult[] => {
    if (closed) throw new KeywardError('UNAVAILABLE', 'counter store is closed');
    const states = new Map<string, CounterState>();
    for (const { counter } of checks) {
      const entry = entries.get(counter);
      if (entry !== undefined && entry.expiresAt > now) states.set(counter, entry.state);
    }
    const { results, writes } = decideAll(checks, states, now);
    for (const [counter, state] of writes) {
      const check = checks.find((c) => c.counter === counter) as LimitCheck;
      entries.delete(counter);
      entries.set(counter, { state, expiresAt: stateExpiresAt(check.config, state) });
    }
    while (entries.size > maxCounters) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
    sweepSome(now);
    return results;
  };

  return {
    // Not `async`: the whole read-decide-write happens before the promise is created.
    consume: (checks, now) => {
      try {
        return Promise.resolve(consumeNow(checks, now));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    reset: (counter) => {
      entries.delete(counter);
      return Promise.resolve();
    },
    size: () => entries.size,
    close: () => {
      closed = true;
      entries.clear();
      return Promise.resolve();
    },
  };
}
