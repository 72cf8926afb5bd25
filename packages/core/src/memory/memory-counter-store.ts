import type { LimitCheck, LimitResult, SyncCounterStore } from '../contracts/counter-store.js';
import { KeywardError } from '../contracts/errors.js';
import { type CounterState, decideAll, stateExpiresAt } from '../decisions/rate-limit.js';

export interface MemoryCounterStoreOptions {
  /**
   * Most counters kept at once. Past it the least recently charged counter is dropped,
   * which forgets its usage (that counter admits a little more than it should), so size it
   * above (active keys × limits per key). Default 1_000_000 (roughly 150 MB when full).
   */
  maxCounters?: number;
}

/** The memory store also tells how many counters it holds (for metrics and tests). */
export interface MemoryCounterStore extends SyncCounterStore {
  /** Counters currently held, including expired ones the sweep has not reached yet. */
  size(): number;
}

interface Entry {
  counter: string;
  state: CounterState;
  /** Epoch ms from which the state equals no state (see `stateExpiresAt`). */
  expiresAt: number;
  /** Neighbours in recency order (`older` toward the least recently charged). */
  older: Entry | null;
  newer: Entry | null;
}

/** Entries examined for expiry per `consume` call, on average: sweeps the whole map every size/4 calls. */
const SWEEP_STEP = 4;
/** The sweep runs every this many calls (at most one pass over the map), so most calls skip its fixed cost. */
const SWEEP_EVERY = 16;

/**
 * Rate-limit counters in this process's memory: exact within one process, lost on restart.
 * Each `consume` reads, decides and writes in one synchronous step (no `await` in between),
 * so concurrent calls are serialized by the event loop and 10 × L concurrent requests admit
 * exactly L; the results come back at once (`kind: 'sync'`, no promise). Idle counters expire: an
 * incremental sweep drops states that `stateExpiresAt` says are equivalent to no state, and
 * `maxCounters` bounds the map.
 *
 * @example
 * const counters = createMemoryCounterStore();
 * const [result] = counters.consume([{ counter: 'key:key_1:rpm', config, cost: 1 }], Date.now());
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions = {}): MemoryCounterStore {
  const { maxCounters = 1_000_000 } = options;
  if (!Number.isSafeInteger(maxCounters) || maxCounters < 1) {
    throw new KeywardError('VALIDATION', 'maxCounters must be a positive integer', { field: 'maxCounters' });
  }
  const entries = new Map<string, Entry>();
  // Recency as a doubly linked list through the entries: moving a charged counter to the
  // newest end is a few pointer writes (re-inserting into the Map would cost ~10 times as much).
  let oldest: Entry | null = null;
  let newest: Entry | null = null;
  let sweep: Iterator<Entry> = entries.values();
  let calls = 0;
  let closed = false;

  const unlink = (entry: Entry): void => {
    if (entry.older === null) oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === null) newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = null;
    entry.newer = null;
  };
  const append = (entry: Entry): void => {
    entry.older = newest;
    if (newest === null) oldest = entry;
    else newest.newer = entry;
    newest = entry;
  };
  const remove = (entry: Entry): void => {
    entries.delete(entry.counter);
    unlink(entry);
  };

  const sweepSome = (now: number): void => {
    const step = Math.min(SWEEP_STEP * SWEEP_EVERY, entries.size);
    for (let i = 0; i < step; i++) {
      let next = sweep.next();
      if (next.done) {
        sweep = entries.values();
        next = sweep.next();
        if (next.done) return;
      }
      if (next.value.expiresAt <= now) remove(next.value);
    }
  };

  /** What `decideAll` reads: the live states at `readAt` (an expired state equals none). */
  let readAt = 0;
  const stored = {
    get(counter: string): CounterState | undefined {
      const entry = entries.get(counter);
      return entry !== undefined && entry.expiresAt > readAt ? entry.state : undefined;
    },
  };

  const consume = (checks: readonly LimitCheck[], now: number): LimitResult[] => {
    if (closed) throw new KeywardError('UNAVAILABLE', 'counter store is closed');
    readAt = now;
    const { results, writes } = decideAll(checks, stored, now);
    // By check rather than over `writes`: no iterator, and the config is at hand.
    for (const { counter, config } of checks) {
      const state = writes.get(counter);
      if (state === undefined) continue;
      const entry = entries.get(counter);
      // A counter checked twice is written once, with its first check's config (a charge
      // always yields a new state object, so an equal one was stored by this very call).
      if (entry !== undefined && entry.state === state) continue;
      const expiresAt = stateExpiresAt(config, state);
      if (entry === undefined) {
        const created: Entry = { counter, state, expiresAt, older: null, newer: null };
        entries.set(counter, created);
        append(created);
      } else {
        entry.state = state;
        entry.expiresAt = expiresAt;
        if (entry !== newest) {
          unlink(entry);
          append(entry);
        }
      }
    }
    while (entries.size > maxCounters && oldest !== null) remove(oldest);
    if (++calls % SWEEP_EVERY === 0) sweepSome(now);
    return results;
  };

  return {
    kind: 'sync',
    consume,
    reset: (counter) => {
      const entry = entries.get(counter);
      if (entry !== undefined) remove(entry);
      return Promise.resolve();
    },
    size: () => entries.size,
    close: () => {
      closed = true;
      entries.clear();
      oldest = null;
      newest = null;
      return Promise.resolve();
    },
  };
}
