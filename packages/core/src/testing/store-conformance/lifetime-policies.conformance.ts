import { describe, expect, it } from 'vitest';
import type { LifetimePolicy } from '../../contracts/lifetime-policy.js';
import { digest, type GetStore, key, seedTenant, T0 } from './fixtures.js';

const policy = (workspaceId: string, apiId: string, over: Partial<LifetimePolicy> = {}): LifetimePolicy => ({
  workspaceId,
  apiId,
  maxTtlDays: 90,
  rotateAfterDays: 30,
  rotationGraceDays: 7,
  idleDisableAfterDays: null,
  remindBeforeDays: 3,
  mode: 'enforce',
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

/** Lifetime policies per API, the reminders claimed once, and `rolledAt` of keys. */
export function describeLifetimePolicyCases(store: GetStore): void {
  describe('lifetime policies', () => {
    it('puts, replaces, reads, lists and deletes a policy, within its workspace only', async () => {
      const { ws, api } = await seedTenant(store());
      const other = await seedTenant(store());
      const first = policy(ws.id, api.id);
      await store().lifetimePolicies.put(first);
      await expect(store().lifetimePolicies.get(ws.id, api.id)).resolves.toEqual(first);
      await expect(store().lifetimePolicies.get(other.ws.id, api.id)).resolves.toBeNull();

      const replaced = policy(ws.id, api.id, {
        maxTtlDays: null,
        rotateAfterDays: null,
        rotationGraceDays: 0,
        idleDisableAfterDays: 60,
        remindBeforeDays: 0,
        mode: 'dry-run',
        updatedAt: T0 + 1,
      });
      await store().lifetimePolicies.put(replaced);
      await expect(store().lifetimePolicies.get(ws.id, api.id)).resolves.toEqual(replaced);
      const second = policy(other.ws.id, other.api.id);
      await store().lifetimePolicies.put(second);
      // Other tests' policies may share the database (PostgreSQL): look for these two only.
      const all = await store().lifetimePolicies.listAll();
      expect(all.filter((p) => p.apiId === api.id || p.apiId === other.api.id)).toEqual(
        [replaced, second].sort((a, b) => (a.apiId < b.apiId ? -1 : 1)),
      );

      await expect(store().lifetimePolicies.delete(other.ws.id, api.id)).resolves.toBe(false);
      await expect(store().lifetimePolicies.delete(ws.id, api.id)).resolves.toBe(true);
      await expect(store().lifetimePolicies.delete(ws.id, api.id)).resolves.toBe(false);
      await expect(store().lifetimePolicies.get(ws.id, api.id)).resolves.toBeNull();
    });

    it('goes with its API', async () => {
      const { ws, api } = await seedTenant(store());
      await store().lifetimePolicies.put(policy(ws.id, api.id));
      await store().apis.delete(ws.id, api.id);
      const all = await store().lifetimePolicies.listAll();
      expect(all.filter((p) => p.apiId === api.id)).toEqual([]);
    });

    it('claims a reminder once per key, kind and deadline', async () => {
      const policies = store().lifetimePolicies;
      await expect(policies.claimNotice('key_1', 'key.expiring', T0 + 5, T0)).resolves.toBe(true);
      await expect(policies.claimNotice('key_1', 'key.expiring', T0 + 5, T0 + 1)).resolves.toBe(false);
      await expect(policies.claimNotice('key_1', 'key.expiring', T0 + 6, T0)).resolves.toBe(true);
      await expect(policies.claimNotice('key_1', 'key.idle', T0 + 5, T0)).resolves.toBe(true);
      await expect(policies.claimNotice('key_2', 'key.expiring', T0 + 5, T0)).resolves.toBe(true);
    });

    it('records when a key was rolled (absent before its first roll)', async () => {
      const { ws, api } = await seedTenant(store());
      const record = key(ws.id, api.id);
      await store().keys.create(record);
      const stored = await store().keys.get(ws.id, record.id);
      expect(stored).toEqual(record);
      expect(stored).not.toHaveProperty('rolledAt');
      const rolled = await store().keys.roll(
        ws.id,
        record.id,
        { digest: digest(), hint: 'h', graceUntil: T0 },
        T0 + 9,
      );
      expect(rolled?.key.rolledAt).toBe(T0 + 9);
      await expect(store().keys.get(ws.id, record.id)).resolves.toMatchObject({ rolledAt: T0 + 9 });
    });
  });
}
