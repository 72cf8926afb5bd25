import type { InvalidationMessage } from '../contracts/cache-bus.js';
import { KeywardError } from '../contracts/errors.js';

/** What the cache needs of a positive entry to find it again on invalidation. */
export interface CacheableKey {
  readonly keyId: string;
  readonly workspaceId: string;
  readonly consumerId: string | null;
  /** Other keys found by the same digest (in other workspaces); an invalidation of any drops the entry. */
  readonly others?: readonly CacheableKey[];
  /** A child key's parent, grandparent, ...: an invalidation of any of them drops the entry too. */
  readonly ancestors?: readonly string[];
}

/** The keys an entry holds: itself and the others found by its digest. */
const keysOf = (value: CacheableKey): readonly CacheableKey[] =>
  value.others === undefined ? [value] : [value, ...value.others];

/**
 * Verification cache keyed by digest. A positive entry holds a resolved key view; a
 * negative entry (`null`) records that no key has this digest. Both live `ttlMs`.
 */
export interface KeyCache<V extends CacheableKey> {
  /** The cached view, `null` for a negative entry, `undefined` on a miss (absent or expired). */
  get(digest: string, now: number): V | null | undefined;
  /**
   * The entry even when expired, as long as it expired less than `staleMs` ago; `undefined`
   * otherwise. For when the store fails only: an answer from the store always wins.
   */
  getStale(digest: string, now: number): V | null | undefined;
  /**
   * Caches a lookup result, unless an invalidation happened since `generation` was read
   * (the lookup may then hold data older than the invalidation: it must not be cached).
   */
  set(digest: string, value: V | null, now: number, generation: number): void;
  /** Drops the entries a message concerns; O(entries affected). Bumps `generation`. */
  invalidate(message: InvalidationMessage): void;
  /** Increases on every invalidation; read it before a lookup and hand it to `set`. */
  readonly generation: number;
  readonly size: number;
}

export interface KeyCacheOptions {
  /** Entry lifetime in ms (positive and negative). Default 30_000. */
  ttlMs?: number;
  /** Maximum entries; the least recently used go first. Default 100_000. */
  maxEntries?: number;
  /** How long past its TTL an entry is kept for `getStale`. Default 0 (an expired entry is gone). */
  staleMs?: number;
}

interface Entry<V> {
  value: V | null;
  expiresAt: number;
  /** Position in recency order; see `get`. */
  seq: number;
}

function addTo(index: Map<string, Set<string>>, id: string, digest: string): void {
  const digests = index.get(id);
  if (digests === undefined) index.set(id, new Set([digest]));
  else digests.add(digest);
}

function removeFrom(index: Map<string, Set<string>>, id: string, digest: string): void {
  const digests = index.get(id);
  if (digests === undefined) return;
  digests.delete(digest);
  if (digests.size === 0) index.delete(id);
}

/**
 * A Map-based LRU with TTL and secondary indexes (key id, consumer id, workspace id →
 * digests). A Map iterates in insertion order, so re-inserting an entry on use makes the
 * first entry the least recently used. Re-inserting on every hit would cost two hash
 * operations on the hot path, so an entry moves only once it has fallen out of the most
 * recent quarter: an entry that recent is never next in line for eviction anyway.
 *
 * @example
 * const cache = createKeyCache<ResolvedKey>({ ttlMs: 30_000, maxEntries: 100_000 });
 */
export function createKeyCache<V extends CacheableKey>(options: KeyCacheOptions = {}): KeyCache<V> {
  const { ttlMs = 30_000, maxEntries = 100_000, staleMs = 0 } = options;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new KeywardError('VALIDATION', 'cacheTtlMs must be a non-negative number', { field: 'cacheTtlMs' });
  }
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new KeywardError('VALIDATION', 'cacheMaxEntries must be a positive integer', {
      field: 'cacheMaxEntries',
    });
  }
  if (!Number.isFinite(staleMs) || staleMs < 0) {
    throw new KeywardError('VALIDATION', 'staleWhileErrorMs must be a non-negative number', {
      field: 'staleWhileErrorMs',
    });
  }
  const promoteDistance = Math.floor(maxEntries / 4);
  const entries = new Map<string, Entry<V>>();
  const byKey = new Map<string, Set<string>>();
  const byConsumer = new Map<string, Set<string>>();
  const byWorkspace = new Map<string, Set<string>>();
  let seq = 0;
  let generation = 0;

  const remove = (digest: string): void => {
    const entry = entries.get(digest);
    if (entry === undefined) return;
    entries.delete(digest);
    const value = entry.value;
    if (value === null) return;
    for (const held of keysOf(value)) {
      removeFrom(byKey, held.keyId, digest);
      for (const ancestor of held.ancestors ?? []) removeFrom(byKey, ancestor, digest);
      removeFrom(byWorkspace, held.workspaceId, digest);
      if (held.consumerId !== null) removeFrom(byConsumer, held.consumerId, digest);
    }
  };

  const removeAll = (index: Map<string, Set<string>>, id: string): void => {
    const digests = index.get(id);
    if (digests === undefined) return;
    for (const digest of [...digests]) remove(digest);
  };

  return {
    get(digest, now) {
      const entry = entries.get(digest);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now) {
        // Kept while it may still be served stale; the LRU bound applies to it as to any entry.
        if (entry.expiresAt + staleMs <= now) remove(digest);
        return undefined;
      }
      if (seq - entry.seq > promoteDistance) {
        entries.delete(digest);
        entries.set(digest, entry);
        entry.seq = ++seq;
      }
      return entry.value;
    },

    getStale(digest, now) {
      const entry = entries.get(digest);
      if (entry === undefined) return undefined;
      if (entry.expiresAt + staleMs <= now) {
        remove(digest);
        return undefined;
      }
      return entry.value;
    },

    set(digest, value, now, since) {
      if (since !== generation || ttlMs === 0) return;
      remove(digest);
      entries.set(digest, { value, expiresAt: now + ttlMs, seq: ++seq });
      if (value !== null) {
        for (const held of keysOf(value)) {
          addTo(byKey, held.keyId, digest);
          for (const ancestor of held.ancestors ?? []) addTo(byKey, ancestor, digest);
          addTo(byWorkspace, held.workspaceId, digest);
          if (held.consumerId !== null) addTo(byConsumer, held.consumerId, digest);
        }
      }
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        remove(oldest.value);
      }
    },

    invalidate(message) {
      generation++;
      switch (message.type) {
        case 'key':
          removeAll(byKey, message.keyId);
          for (const digest of message.digests) remove(digest);
          break;
        case 'consumer':
          removeAll(byConsumer, message.consumerId);
          break;
        case 'root_key':
          // Admin credentials are not in this cache (the server's root-key cache listens for these).
          break;
        case 'workspace':
          removeAll(byWorkspace, message.workspaceId);
          break;
        default:
          // 'all', and any message a newer node may send that this one does not know:
          // dropping everything is always safe.
          entries.clear();
          byKey.clear();
          byConsumer.clear();
          byWorkspace.clear();
          break;
      }
    },

    get generation() {
      return generation;
    },

    get size() {
      return entries.size;
    },
  };
}
