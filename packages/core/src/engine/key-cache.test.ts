import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CacheableKey, createKeyCache } from './key-cache.js';

const view = (keyId: string, consumerId: string | null = null, workspaceId = 'ws_1'): CacheableKey => ({
  keyId,
  consumerId,
  workspaceId,
});

describe('createKeyCache', () => {
  it('answers a miss, a negative and a positive entry apart', () => {
    const cache = createKeyCache();
    const g = cache.generation;
    expect(cache.get('d1', 0)).toBeUndefined();
    cache.set('d1', null, 0, g);
    const positive = view('key_1');
    cache.set('d2', positive, 0, g);
    expect(cache.get('d1', 1)).toBeNull();
    expect(cache.get('d2', 1)).toBe(positive);
    expect(cache.size).toBe(2);
  });

  it('expires positive and negative entries after the TTL', () => {
    const cache = createKeyCache({ ttlMs: 1000 });
    cache.set('neg', null, 0, cache.generation);
    cache.set('pos', view('key_1'), 0, cache.generation);
    expect(cache.get('neg', 999)).toBeNull();
    expect(cache.get('pos', 999)).not.toBeUndefined();
    expect(cache.get('neg', 1000)).toBeUndefined();
    expect(cache.get('pos', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('caches nothing with a TTL of 0', () => {
    const cache = createKeyCache({ ttlMs: 0 });
    cache.set('d', view('key_1'), 0, cache.generation);
    expect(cache.get('d', 0)).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = createKeyCache({ maxEntries: 4 });
    const g = cache.generation;
    for (const d of ['a', 'b', 'c', 'd']) cache.set(d, view(`key_${d}`), 0, g);
    // 'a' is the oldest but was just used; 'b' becomes least recently used.
    expect(cache.get('a', 1)).not.toBeUndefined();
    cache.set('e', view('key_e'), 1, g);
    expect(cache.size).toBe(4);
    expect(cache.get('b', 1)).toBeUndefined();
    for (const d of ['a', 'c', 'd', 'e']) expect(cache.get(d, 1)).not.toBeUndefined();
  });

  it('never holds more than maxEntries and keeps the most recent quarter', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 60 }), { maxLength: 300 }), (digests) => {
        const cache = createKeyCache({ maxEntries: 20 });
        for (const d of digests) {
          if (cache.get(`d${d}`, 0) === undefined) cache.set(`d${d}`, view(`key_${d}`), 0, cache.generation);
          expect(cache.size).toBeLessThanOrEqual(20);
        }
        const recent = [...new Set([...digests].reverse())].slice(0, 5);
        for (const d of recent) expect(cache.get(`d${d}`, 0)).not.toBeUndefined();
      }),
    );
  });

  it('drops every digest of a key, and negative entries named by the message', () => {
    const cache = createKeyCache();
    const g = cache.generation;
    cache.set('current', view('key_1'), 0, g);
    cache.set('rolled', view('key_1'), 0, g);
    cache.set('other', view('key_2'), 0, g);
    cache.set('absent', null, 0, g);
    cache.invalidate({ type: 'key', keyId: 'key_1', digests: ['absent'] });
    expect(cache.get('current', 1)).toBeUndefined();
    expect(cache.get('rolled', 1)).toBeUndefined();
    expect(cache.get('absent', 1)).toBeUndefined();
    expect(cache.get('other', 1)).not.toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('drops the entries of a consumer and of a workspace', () => {
    const cache = createKeyCache();
    const g = cache.generation;
    cache.set('a', view('key_a', 'con_1', 'ws_1'), 0, g);
    cache.set('b', view('key_b', 'con_1', 'ws_1'), 0, g);
    cache.set('c', view('key_c', 'con_2', 'ws_1'), 0, g);
    cache.set('d', view('key_d', null, 'ws_2'), 0, g);
    cache.set('n', null, 0, g);
    cache.invalidate({ type: 'consumer', consumerId: 'con_1' });
    expect([...'abcdn'].map((d) => cache.get(d, 1) !== undefined)).toEqual([false, false, true, true, true]);
    cache.invalidate({ type: 'workspace', workspaceId: 'ws_1' });
    expect([...'abcdn'].map((d) => cache.get(d, 1) !== undefined)).toEqual([false, false, false, true, true]);
    cache.invalidate({ type: 'all' });
    expect(cache.size).toBe(0);
  });

  it('keeps the indexes in step when an entry is replaced, evicted or expires', () => {
    const cache = createKeyCache({ maxEntries: 2, ttlMs: 10 });
    cache.set('a', view('key_1', 'con_1'), 0, cache.generation);
    // Same digest now resolves to another key (e.g. the first was deleted and the digest reused).
    cache.set('a', view('key_2', 'con_2'), 0, cache.generation);
    cache.invalidate({ type: 'key', keyId: 'key_1', digests: [] });
    expect(cache.get('a', 1)).not.toBeUndefined();
    cache.invalidate({ type: 'consumer', consumerId: 'con_2' });
    expect(cache.get('a', 1)).toBeUndefined();
    cache.set('x', view('key_x'), 0, cache.generation);
    cache.set('y', view('key_y'), 0, cache.generation);
    cache.set('z', view('key_x'), 0, cache.generation);
    expect(cache.get('x', 1)).toBeUndefined();
    cache.invalidate({ type: 'key', keyId: 'key_x', digests: [] });
    expect(cache.get('z', 1)).toBeUndefined();
    expect(cache.get('y', 1)).not.toBeUndefined();
  });

  it('refuses a result looked up before an invalidation', () => {
    const cache = createKeyCache();
    const before = cache.generation;
    cache.invalidate({ type: 'key', keyId: 'key_1', digests: ['d'] });
    cache.set('d', view('key_1'), 0, before);
    expect(cache.get('d', 1)).toBeUndefined();
    cache.set('d', view('key_1'), 0, cache.generation);
    expect(cache.get('d', 1)).not.toBeUndefined();
  });

  it('clears everything on a message type it does not know', () => {
    const cache = createKeyCache();
    cache.set('d', view('key_1'), 0, cache.generation);
    cache.invalidate({ type: 'future' } as unknown as { type: 'all' });
    expect(cache.size).toBe(0);
  });

  it('validates its options', () => {
    expect(() => createKeyCache({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ field: 'cacheMaxEntries' }),
    );
    expect(() => createKeyCache({ ttlMs: -1 })).toThrow(expect.objectContaining({ field: 'cacheTtlMs' }));
  });
});
