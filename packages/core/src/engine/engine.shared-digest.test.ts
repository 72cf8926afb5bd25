import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../contracts/model.js';
import { newId } from '../keys/ids.js';
import { callCount, createHarness, type Harness } from './engine.fixtures.js';

/**
 * Digests are unique per workspace only (issue 10, defect 4): two workspaces may hold the
 * same secret (one imported the other's, or both a shared legacy key). Verification stays
 * one lookup by digest and picks the key of the caller's scope; unscoped, the oldest.
 */
let h: Harness;
let key: string;
let mine: KeyRecord;
let theirs: KeyRecord;

beforeEach(async () => {
  h = await createHarness();
  const issued = await h.issue({ permissions: ['mine'] });
  key = issued.key;
  mine = issued.record;
  const otherWs = { id: newId('ws'), name: 'Other', createdAt: 0 };
  await h.store.workspaces.create(otherWs);
  const otherApi = { ...h.api, id: newId('api'), workspaceId: otherWs.id };
  await h.store.apis.create(otherApi);
  theirs = {
    ...mine,
    id: newId('key'),
    workspaceId: otherWs.id,
    apiId: otherApi.id,
    permissions: ['theirs'],
    createdAt: mine.createdAt + 1,
  };
  await h.store.keys.create(theirs);
});
afterEach(async () => {
  await h.close();
});

describe('a digest held by two workspaces', () => {
  it('answers each scope with its own key, unscoped with the oldest, from one lookup', async () => {
    await expect(h.engine.verifyKey(key, { workspaceId: theirs.workspaceId })).resolves.toMatchObject({
      valid: true,
      identity: { keyId: theirs.id, workspaceId: theirs.workspaceId, permissions: ['theirs'] },
    });
    await expect(h.engine.verifyKey(key, { apiId: mine.apiId })).resolves.toMatchObject({
      identity: { keyId: mine.id },
    });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ identity: { keyId: mine.id } });
    await expect(
      h.engine.verifyKey(key, { workspaceId: mine.workspaceId, apiId: theirs.apiId }),
    ).resolves.toMatchObject({
      valid: false,
      code: 'NOT_FOUND',
    });
    expect(callCount(h.calls, 'keys.findByDigest')).toBe(1);
  });

  it('an invalidation of either key drops the shared entry', async () => {
    await h.engine.verifyKey(key, { workspaceId: theirs.workspaceId });
    await h.store.keys.revoke(theirs.workspaceId, theirs.id, h.clock.now);
    await h.engine.invalidate({ type: 'key', keyId: theirs.id, digests: [] });
    await expect(h.engine.verifyKey(key, { workspaceId: theirs.workspaceId })).resolves.toMatchObject({
      code: 'REVOKED',
    });
    await expect(h.engine.verifyKey(key, { workspaceId: mine.workspaceId })).resolves.toMatchObject({
      valid: true,
    });
    await h.engine.invalidate({ type: 'workspace', workspaceId: theirs.workspaceId });
    expect(callCount(h.calls, 'keys.findByDigest')).toBe(2);
    await h.engine.verifyKey(key);
    expect(callCount(h.calls, 'keys.findByDigest')).toBe(3);
  });
});
