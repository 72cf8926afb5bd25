import { describe, expect, it } from 'vitest';
import { createRootKeyCache } from './root-key-cache.js';
import {
  checkRootPermissions,
  coversAll,
  holdsFor,
  holdsPermission,
  parsePermission,
  rootKeyAllows,
} from './root-permissions.js';

describe('rootKeyAllows', () => {
  it('* allows everything; :write implies :read of the same resource only', () => {
    expect(rootKeyAllows(['*'], 'audit:read')).toBe(true);
    expect(rootKeyAllows(['keys:write'], 'keys:read')).toBe(true);
    expect(rootKeyAllows(['keys:write'], 'keys:verify')).toBe(false);
    expect(rootKeyAllows(['keys:write'], 'apis:read')).toBe(false);
    expect(rootKeyAllows(['keys:read'], 'keys:write')).toBe(false);
    expect(rootKeyAllows([], 'keys:read')).toBe(false);
  });

  it('lets per-API permissions through the route guard for keys routes only', () => {
    expect(rootKeyAllows(['api.api_1.keys:write'], 'keys:read')).toBe(true);
    expect(rootKeyAllows(['api.api_1.keys:write'], 'keys:write')).toBe(true);
    expect(rootKeyAllows(['api.api_1.keys:read'], 'keys:write')).toBe(false);
    expect(rootKeyAllows(['api.api_1.keys:write'], 'keys:verify')).toBe(false);
    expect(rootKeyAllows(['api.api_1.keys:write'], 'apis:read')).toBe(false);
  });

  it('accepts known permissions only, each once', () => {
    expect(checkRootPermissions(['keys:read', 'keys:read', '*'], 'p')).toEqual(['keys:read', '*']);
    expect(checkRootPermissions(['api.api_1.keys:verify'], 'p')).toEqual(['api.api_1.keys:verify']);
    expect(() => checkRootPermissions(['api.api_1.apis:read'], 'p')).toThrow(/p\[0\]/);
    expect(() => checkRootPermissions(['api..keys:read'], 'p')).toThrow(/p\[0\]/);
    expect(() => checkRootPermissions(['keys:*'], 'p')).toThrow(/p\[0\]/);
    expect(() => checkRootPermissions([], 'p')).toThrow(/empty/);
  });
});

describe('authority between credentials', () => {
  it('parses per-API permissions', () => {
    expect(parsePermission('api.api_1.keys:read')).toEqual({ apiId: 'api_1', permission: 'keys:read' });
    expect(parsePermission('keys:read')).toEqual({ apiId: null, permission: 'keys:read' });
  });

  it('a workspace-wide permission covers every API; a per-API one only its API', () => {
    expect(holdsFor(['keys:write'], 'keys:read', 'api_1')).toBe(true);
    expect(holdsFor(['api.api_1.keys:write'], 'keys:read', 'api_1')).toBe(true);
    expect(holdsFor(['api.api_1.keys:write'], 'keys:read', 'api_2')).toBe(false);
    expect(holdsFor(['api.api_1.keys:write'], 'keys:read', null)).toBe(false);
  });

  it('* is covered by * only; a set covers another when it holds each of its permissions', () => {
    expect(holdsPermission(['*'], '*')).toBe(true);
    for (const every of [['keys:write', 'apis:write', 'root_keys:write'], ['api.api_1.keys:write']])
      expect(holdsPermission(every, '*')).toBe(false);
    expect(coversAll(['keys:write', 'apis:read'], ['keys:read', 'api.api_9.keys:write'])).toBe(true);
    expect(coversAll(['api.api_1.keys:write'], ['api.api_1.keys:read'])).toBe(true);
    expect(coversAll(['api.api_1.keys:write'], ['keys:read'])).toBe(false);
    expect(coversAll(['keys:write'], ['keys:write', 'keys:verify'])).toBe(false);
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

  it('applies cache-bus messages: a root key, a workspace, everything; ignores API-key messages', () => {
    const cache = createRootKeyCache({ ttlMs: 100, maxEntries: 10 });
    const other = { ...rootKey, id: 'rk_2', workspaceId: 'ws2', digest: 'e' };
    cache.set('d', rootKey, 0);
    cache.set('e', other, 0);
    cache.invalidate({ type: 'key', keyId: 'rk_1', digests: ['d'] });
    cache.invalidate({ type: 'consumer', consumerId: 'rk_1' });
    expect(cache.get('d', 1)).toBe(rootKey);
    cache.invalidate({ type: 'root_key', rootKeyId: 'rk_1' });
    expect(cache.get('d', 1)).toBeUndefined();
    expect(cache.get('e', 1)).toBe(other);
    cache.invalidate({ type: 'workspace', workspaceId: 'ws2' });
    expect(cache.get('e', 1)).toBeUndefined();
    cache.set('d', rootKey, 2);
    cache.invalidate({ type: 'all' });
    expect(cache.get('d', 3)).toBeUndefined();
  });

  it('caches nothing with a TTL of 0', () => {
    const cache = createRootKeyCache({ ttlMs: 0, maxEntries: 2 });
    cache.set('d', rootKey, 0);
    expect(cache.get('d', 0)).toBeUndefined();
  });
});
