import { describe, expect, it } from 'vitest';
import {
  auditEvent,
  consumer,
  digest,
  type GetStore,
  key,
  role,
  rootKey,
  seedTenant,
  T0,
} from './fixtures.js';

/** Every id of workspace A, used with workspace B's id, behaves as unknown and changes nothing. */
export function describeIsolationCases(store: GetStore): void {
  describe('tenant isolation', () => {
    it('hides and protects every record of another workspace', async () => {
      const mine = await seedTenant(store());
      const theirs = await seedTenant(store());
      const ws = mine.ws.id;
      const other = theirs.ws.id;
      const c = consumer(ws);
      const r = role(ws, { name: 'reader' });
      const rk = rootKey(ws);
      await store().consumers.create(c);
      await store().roles.create(r);
      await store().rootKeys.create(rk);
      const k = key(ws, mine.api.id, { consumerId: c.id });
      await store().keys.create(k);
      await store().audit.append(auditEvent(ws));
      await store().idempotency.put(ws, 'idem-1', { fingerprint: 'f', status: 201, body: { id: k.id } }, T0);
      const s = store();

      await expect(s.apis.get(other, mine.api.id)).resolves.toBeNull();
      await expect(s.apis.update(other, mine.api.id, { name: 'x' }, T0)).resolves.toBeNull();
      await expect(s.apis.delete(other, mine.api.id)).resolves.toBe(false);
      await expect(s.apis.list(other, {})).resolves.toEqual({ items: [theirs.api], nextCursor: null });

      await expect(s.consumers.get(other, c.id)).resolves.toBeNull();
      await expect(s.consumers.getByExternalId(other, c.externalId)).resolves.toBeNull();
      await expect(s.consumers.update(other, c.id, { name: 'x' }, T0)).resolves.toBeNull();
      await expect(s.consumers.delete(other, c.id)).resolves.toBe(false);
      await expect(s.consumers.list(other, {})).resolves.toEqual({ items: [], nextCursor: null });

      await expect(s.roles.get(other, r.id)).resolves.toBeNull();
      await expect(s.roles.getByNames(other, ['reader'])).resolves.toEqual([]);
      await expect(s.roles.update(other, r.id, { name: 'x' }, T0)).resolves.toBeNull();
      await expect(s.roles.delete(other, r.id)).resolves.toBe(false);
      await expect(s.roles.list(other, {})).resolves.toEqual({ items: [], nextCursor: null });

      await expect(s.keys.get(other, k.id)).resolves.toBeNull();
      await expect(s.keys.update(other, k.id, { enabled: false }, T0)).resolves.toBeNull();
      await expect(s.keys.revoke(other, k.id, T0)).resolves.toBeNull();
      await expect(
        s.keys.roll(other, k.id, { digest: digest(), hint: 'h', graceUntil: T0 }, T0),
      ).resolves.toBeNull();
      await expect(s.keys.delete(other, k.id)).resolves.toBeNull();
      await expect(s.keys.list(other, {})).resolves.toEqual({ items: [], nextCursor: null });
      await expect(s.keys.list(other, { apiId: mine.api.id })).resolves.toEqual({
        items: [],
        nextCursor: null,
      });
      await expect(s.keys.list(other, { consumerId: c.id })).resolves.toEqual({
        items: [],
        nextCursor: null,
      });

      await expect(s.rootKeys.get(other, rk.id)).resolves.toBeNull();
      await expect(s.rootKeys.roll(other, rk.id, { digest: digest(), hint: 'h' }, T0)).resolves.toBeNull();
      await expect(s.rootKeys.revoke(other, rk.id, T0)).resolves.toBeNull();
      await expect(s.rootKeys.list(other, {})).resolves.toEqual({ items: [], nextCursor: null });

      await expect(s.audit.list(other, {})).resolves.toEqual({ items: [], nextCursor: null });
      await expect(s.idempotency.get(other, 'idem-1', T0)).resolves.toBeNull();

      // Nothing above changed workspace A.
      await expect(s.apis.get(ws, mine.api.id)).resolves.toEqual(mine.api);
      await expect(s.consumers.get(ws, c.id)).resolves.toEqual(c);
      await expect(s.roles.get(ws, r.id)).resolves.toEqual(r);
      await expect(s.keys.get(ws, k.id)).resolves.toEqual(k);
      await expect(s.keys.digests(k.id)).resolves.toEqual([k.digest]);
      await expect(s.rootKeys.get(ws, rk.id)).resolves.toEqual(rk);
      await expect(s.idempotency.get(ws, 'idem-1', T0)).resolves.toMatchObject({ status: 201 });
    });
  });
}
