import { describe, expect, it } from 'vitest';
import { createRootKeyCache } from './root-key-cache.js';
import { checkRootPermissions, rootKeyAllows } from './root-permissions.js';

describe('rootKeyAllows', () => {
  it('* allows everything; :write implies :read of the same resource only', () => {
    expect(rootKeyAllows(['*'], 'audit:read')).toBe(true);
    expect(rootKeyAllows(['keys:write'], 'keys:read')).toBe(true);
    expect(rootKeyAllows(['keys:write'], 'keys:verify')).toBe(false);
    expect(rootKeyAllows(['keys:write'], 'apis:read')).toBe(false);
    expect(rootKeyAllows(['keys:read'], 'keys:write')).toBe(false);
    expect(rootKeyAllows([], 'keys:read')).toBe(false);
  });

  it('accepts known permissions only, each once', () => {
    expect(checkRootPermissions(['keys:read', 'keys:read', '*'], 'p')).toEqual(['keys:read', '*']);
    expect(() => checkRootPermissions(['keys:*'], 'p')).toThrow(/p\[0\]/);
    expect(() => checkRootPermissions([], 'p')).toThrow(/empty/);
  });
});

describe('root key cache', () => {
  const rootKey = {
    id: 'rk_1',
    workspaceId: 'ws',
    digest: 'd',
    hint: 'h',
    name: null,
    permissions: ['*'],
    revokedAt: null,
    createdAt: 0,
    updatedAt: 0,
  };

  it('holds hits and misses for the TTL, forgets a root key on demand, evicts the oldest', () => {
    const cache = createRootKeyCache({ ttlMs: 100, maxEntries: 2 });
    cache.set('d', rootKey, 0);
    cache.set('miss', null, 0);
    expect(cache.get('d', 99)).toBe(rootKey);
    expect(cache.get('miss', 99)).toBeNull();
    expect(cache.get('d', 100)).toBeUndefined();
    cache.set('d', rootKey, 200);
    cache.forget('rk_1');
    expect(cache.get('d', 201)).toBeUndefined();
    cache.set('a', null, 300);
    cache.set('b', null, 300);
    cache.set('c', null, 300);
    expect(cache.get('a', 301)).toBeUndefined();
    expect(cache.get('c', 301)).toBeNull();
  });

  it('caches nothing with a TTL of 0', () => {
    const cache = createRootKeyCache({ ttlMs: 0, maxEntries: 2 });
    cache.set('d', rootKey, 0);
    expect(cache.get('d', 0)).toBeUndefined();
  });
});
