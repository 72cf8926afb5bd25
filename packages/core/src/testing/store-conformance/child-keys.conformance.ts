import { describe, expect, it } from 'vitest';
import { type GetStore, key, seedTenant, T0 } from './fixtures.js';

/** Child keys: the parent link round-trips, lists by parent, revocation of descendants; policies. */
export function describeChildKeyCases(store: GetStore): void {
  describe('child keys', () => {
    it('round-trips the parent link, lists a key children and revokes every descendant once', async () => {
      const { ws, api } = await seedTenant(store());
      const other = await seedTenant(store());
      const parent = key(ws.id, api.id);
      const child = key(ws.id, api.id, { parent: { keyId: parent.id, depth: 1, binding: 'b1' } });
      const sibling = key(ws.id, api.id, {
        parent: { keyId: parent.id, depth: 1, binding: 'b1' },
        revokedAt: T0 + 1,
      });
      const grandchild = key(ws.id, api.id, { parent: { keyId: child.id, depth: 2, binding: 'b2' } });
      const unrelated = key(ws.id, api.id);
      for (const k of [parent, child, sibling, grandchild, unrelated]) await store().keys.create(k);
      await expect(store().keys.get(ws.id, grandchild.id)).resolves.toEqual(grandchild);
      await expect(store().keys.get(ws.id, parent.id)).resolves.toEqual(parent);
      expect((await store().keys.get(ws.id, parent.id))?.parent).toBeUndefined();

      const page = await store().keys.list(ws.id, { parentKeyId: parent.id });
      expect(page.items.map((k) => k.id).sort()).toEqual([child.id, sibling.id].sort());
      await expect(store().keys.list(other.ws.id, { parentKeyId: parent.id })).resolves.toEqual({
        items: [],
        nextCursor: null,
      });

      await expect(store().keys.revokeDescendants(other.ws.id, parent.id, T0 + 5)).resolves.toEqual([]);
      const revoked = await store().keys.revokeDescendants(ws.id, parent.id, T0 + 5);
      expect(revoked.map((k) => k.id).sort()).toEqual([child.id, grandchild.id].sort());
      expect(revoked.every((k) => k.revokedAt === T0 + 5)).toBe(true);
      await expect(store().keys.get(ws.id, sibling.id)).resolves.toMatchObject({ revokedAt: T0 + 1 });
      await expect(store().keys.get(ws.id, unrelated.id)).resolves.toMatchObject({ revokedAt: null });
      await expect(store().keys.get(ws.id, parent.id)).resolves.toMatchObject({ revokedAt: null });
      await expect(store().keys.revokeDescendants(ws.id, parent.id, T0 + 9)).resolves.toEqual([]);
    });

    it('stores one child-key policy per API, replaced by a put, invisible to other workspaces, deleted with the API', async () => {
      const { ws, api } = await seedTenant(store());
      const other = await seedTenant(store());
      await expect(store().childKeyPolicies.get(ws.id, api.id)).resolves.toBeNull();
      await store().childKeyPolicies.put(
        ws.id,
        api.id,
        { enabled: false, maxExpiresInSeconds: 60, maxDepth: 2 },
        T0,
      );
      await expect(store().childKeyPolicies.get(ws.id, api.id)).resolves.toEqual({
        enabled: false,
        maxExpiresInSeconds: 60,
        maxDepth: 2,
      });
      await store().childKeyPolicies.put(
        ws.id,
        api.id,
        { enabled: true, maxExpiresInSeconds: 900, maxDepth: 1 },
        T0,
      );
      await expect(store().childKeyPolicies.get(ws.id, api.id)).resolves.toEqual({
        enabled: true,
        maxExpiresInSeconds: 900,
        maxDepth: 1,
      });
      await expect(store().childKeyPolicies.get(other.ws.id, api.id)).resolves.toBeNull();
      // It goes with its API (no foreign key: the API's delete removes it).
      await expect(store().apis.delete(ws.id, api.id)).resolves.toBe(true);
      await expect(store().childKeyPolicies.get(ws.id, api.id)).resolves.toBeNull();
    });
  });
}
