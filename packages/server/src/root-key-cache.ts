import type { InvalidationMessage, RootKey } from '@keyward/core';

export interface RootKeyCacheOptions {
  /** Entry lifetime in ms, for hits and misses alike; 0 disables the cache. */
  ttlMs: number;
  /** Most entries held; the oldest is dropped past it. */
  maxEntries: number;
  /** How long past its TTL an entry is kept for `getStale` (used only while the database fails). Default 0. */
  staleMs?: number;
}

/**
 * A short-lived cache of root-key lookups by digest, so that an admin client does not cost
 * a database read per request. Misses are cached too (a flood of wrong root keys costs one
 * read per distinct key per TTL). A roll or revoke forgets the key on this node at once and
 * on the others when the cache bus delivers it (`invalidate`); the TTL bounds how long the
 * old secret keeps working only if that message is lost.
 */
export interface RootKeyCache {
  /** The cached lookup: a root key, null for a cached miss, undefined when unknown or stale. */
  get(digest: string, now: number): RootKey | null | undefined;
  /** The entry even when expired less than `staleMs` ago: only for when the database fails. */
  getStale(digest: string, now: number): RootKey | null | undefined;
  set(digest: string, value: RootKey | null, now: number): void;
  /** Forgets every entry of a root key (after a roll or revoke). */
  forget(rootKeyId: string): void;
  /** Applies a cache-bus message: `root_key` forgets that key, `workspace` its keys, `all` everything; others are not about root keys. */
  invalidate(message: InvalidationMessage): void;
}

export function createRootKeyCache(options: RootKeyCacheOptions): RootKeyCache {
  const { ttlMs, maxEntries, staleMs = 0 } = options;
  const entries = new Map<string, { value: RootKey | null; expiresAt: number }>();
  return {
    get(digest, now) {
      const entry = entries.get(digest);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now) {
        if (entry.expiresAt + staleMs <= now) entries.delete(digest);
        return undefined;
      }
      return entry.value;
    },
    getStale(digest, now) {
      const entry = entries.get(digest);
      return entry === undefined || entry.expiresAt + staleMs <= now ? undefined : entry.value;
    },
    set(digest, value, now) {
      if (ttlMs <= 0) return;
      entries.delete(digest);
      entries.set(digest, { value, expiresAt: now + ttlMs });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    forget(rootKeyId) {
      for (const [digest, entry] of entries) if (entry.value?.id === rootKeyId) entries.delete(digest);
    },
    invalidate(message) {
      if (message.type === 'root_key') this.forget(message.rootKeyId);
      else if (message.type === 'all') entries.clear();
      else if (message.type === 'workspace') {
        for (const [digest, entry] of entries)
          if (entry.value?.workspaceId === message.workspaceId) entries.delete(digest);
      }
    },
  };
}
