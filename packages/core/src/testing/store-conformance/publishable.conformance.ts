import { describe, expect, it } from 'vitest';
import type { PublishablePolicy } from '../../contracts/model.js';
import { type GetStore, key, seedTenant, T0 } from './fixtures.js';

/** Key kinds and each API's publishable policy. */
export function describePublishableCases(store: GetStore): void {
  describe('publishable keys', () => {
    it('stores and reads back a key kind', async () => {
      const { ws, api } = await seedTenant(store());
      const publishable = key(ws.id, api.id, { kind: 'publishable' });
      const secret = key(ws.id, api.id);
      await store().keys.create(publishable);
      await store().keys.create(secret);
      await expect(store().keys.get(ws.id, publishable.id)).resolves.toMatchObject({ kind: 'publishable' });
      await expect(store().keys.get(ws.id, secret.id)).resolves.toMatchObject({ kind: 'secret' });
      const [found] = await store().keys.findByDigest(publishable.digest);
      expect(found?.key.kind).toBe('publishable');
    });

    it('keeps one policy per API, replaced by put, read only in its workspace, deleted with the API', async () => {
      const { ws, api } = await seedTenant(store());
      const other = await seedTenant(store());
      await expect(store().publishablePolicies.get(ws.id, api.id)).resolves.toBeNull();
      const policy: PublishablePolicy = {
        workspaceId: ws.id,
        apiId: api.id,
        publicPermissions: ['stations:read'],
        allowedOrigins: ['https://app.example.com'],
        updatedAt: T0,
      };
      await store().publishablePolicies.put(policy);
      await expect(store().publishablePolicies.get(ws.id, api.id)).resolves.toEqual(policy);
      const replaced = {
        ...policy,
        publicPermissions: [],
        allowedOrigins: ['https://*.example.com'],
        updatedAt: T0 + 1,
      };
      await store().publishablePolicies.put(replaced);
      await expect(store().publishablePolicies.get(ws.id, api.id)).resolves.toEqual(replaced);
      await expect(store().publishablePolicies.get(other.ws.id, api.id)).resolves.toBeNull();
      await expect(store().apis.delete(ws.id, api.id)).resolves.toBe(true);
      await expect(store().publishablePolicies.get(ws.id, api.id)).resolves.toBeNull();
    });
  });
}
