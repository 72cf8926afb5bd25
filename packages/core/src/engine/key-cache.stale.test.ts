import { describe, expect, it } from 'vitest';
import { type CacheableKey, createKeyCache } from './key-cache.js';

const view: CacheableKey = { keyId: 'key_1', consumerId: null, workspaceId: 'ws_1' };

describe('createKeyCache stale entries', () => {
  it('keeps an expired entry for getStale until staleMs past its TTL', () => {
    const cache = createKeyCache({ ttlMs: 1000, staleMs: 500 });
    cache.set('pos', view, 0, cache.generation);
    cache.set('neg', null, 0, cache.generation);
    expect(cache.get('pos', 1000)).toBeUndefined();
    expect(cache.getStale('pos', 1000)).toBe(view);
    expect(cache.getStale('neg', 1499)).toBeNull();
    expect(cache.getStale('pos', 1500)).toBeUndefined();
    expect(cache.get('neg', 1500)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('has nothing stale with staleMs 0 (the default)', () => {
    const cache = createKeyCache({ ttlMs: 1000 });
    cache.set('pos', view, 0, cache.generation);
    expect(cache.getStale('pos', 999)).toBe(view);
    expect(cache.getStale('pos', 1000)).toBeUndefined();
  });

  it('forgets invalidated entries at once, stale or not', () => {
    const cache = createKeyCache({ ttlMs: 1000, staleMs: 60_000 });
    cache.set('pos', view, 0, cache.generation);
    cache.invalidate({ type: 'key', keyId: 'key_1', digests: [] });
    expect(cache.getStale('pos', 1)).toBeUndefined();
  });

  it('rejects a negative staleMs', () => {
    expect(() => createKeyCache({ staleMs: -1 })).toThrow(/staleWhileErrorMs/);
  });
});
