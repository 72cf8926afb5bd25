import { describe, expect, it } from 'vitest';
import { type GetStore, key, seedTenant, T0 } from './fixtures.js';

const audit = (workspaceId: string, targetId: string) => ({
  id: `evt_${targetId}`,
  workspaceId,
  actor: 'rk_tx',
  action: 'key.create',
  targetType: 'key',
  targetId,
  before: null,
  after: { id: targetId },
  ip: null,
  requestId: null,
  createdAt: T0,
});

/** `Store.transaction`: all or nothing, the same interface inside, nested calls join. */
export function describeTransactionCases(store: GetStore): void {
  describe('transaction', () => {
    it('commits every write of the work when it resolves, and returns its result', async () => {
      const { ws, api } = await seedTenant(store());
      const k = key(ws.id, api.id);
      const result = await store().transaction(async (tx) => {
        await tx.keys.create(k);
        await tx.credits.set({ kind: 'key', id: k.id }, 5, { refill: null }, T0);
        await tx.audit.append(audit(ws.id, k.id));
        // Reads inside see the transaction's own writes.
        await expect(tx.keys.get(ws.id, k.id)).resolves.toEqual(k);
        return 'done';
      });
      expect(result).toBe('done');
      await expect(store().keys.get(ws.id, k.id)).resolves.toEqual(k);
      await expect(store().credits.get({ kind: 'key', id: k.id }, T0)).resolves.toBe(5);
      await expect(store().audit.list(ws.id, { targetId: k.id })).resolves.toMatchObject({
        items: [{ id: `evt_${k.id}` }],
      });
    });

    it('writes nothing when the work throws, and rethrows that error', async () => {
      const { ws, api } = await seedTenant(store());
      const k = key(ws.id, api.id);
      const failure = new Error('step 3 failed');
      const attempt = store().transaction(async (tx) => {
        await tx.keys.create(k);
        await tx.credits.set({ kind: 'key', id: k.id }, 5, null, T0);
        // A nested call joins: its writes go with the outer transaction's fate.
        await tx.transaction((inner) => inner.audit.append(audit(ws.id, k.id)));
        throw failure;
      });
      await expect(attempt).rejects.toBe(failure);
      await expect(store().keys.get(ws.id, k.id)).resolves.toBeNull();
      await expect(store().credits.get({ kind: 'key', id: k.id }, T0)).resolves.toBeNull();
      await expect(store().audit.list(ws.id, { targetId: k.id })).resolves.toMatchObject({ items: [] });
      await expect(store().audit.head(ws.id)).resolves.toBeNull();
    });

    it('rolls back a store write that failed inside (a CONFLICT), with everything before it', async () => {
      const { ws, api } = await seedTenant(store());
      const first = key(ws.id, api.id);
      await store().keys.create(first);
      const fresh = key(ws.id, api.id);
      const attempt = store().transaction(async (tx) => {
        await tx.keys.create(fresh);
        await tx.keys.create(key(ws.id, api.id, { digest: first.digest }));
      });
      await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(store().keys.get(ws.id, fresh.id)).resolves.toBeNull();
      // The store is usable afterwards.
      await expect(store().keys.get(ws.id, first.id)).resolves.toEqual(first);
    });
  });
}
