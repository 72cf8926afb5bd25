import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TTL_MS } from '../../store/idempotency.js';
import { auditEvent, digest, type GetStore, rejection, rootKey, seedTenant, T0 } from './fixtures.js';

/** Root keys, audit events and idempotency replies. */
export function describeAdminRecordCases(store: GetStore): void {
  describe('root keys', () => {
    it('creates, finds by digest, rolls and revokes', async () => {
      const { ws } = await seedTenant(store());
      const rk = rootKey(ws.id);
      const bare = rootKey(ws.id, { name: null, permissions: [] });
      await store().rootKeys.create(rk);
      await store().rootKeys.create(bare);
      await expect(store().rootKeys.get(ws.id, rk.id)).resolves.toEqual(rk);
      await expect(store().rootKeys.get(ws.id, bare.id)).resolves.toEqual(bare);
      await expect(store().rootKeys.findByDigest(rk.digest)).resolves.toEqual(rk);
      await expect(store().rootKeys.findByDigest(digest())).resolves.toBeNull();

      const next = digest();
      const rolled = await store().rootKeys.roll(ws.id, rk.id, { digest: next, hint: 'new' }, T0 + 1);
      expect(rolled).toEqual({ ...rk, digest: next, hint: 'new', updatedAt: T0 + 1 });
      await expect(store().rootKeys.findByDigest(rk.digest)).resolves.toBeNull();
      await expect(store().rootKeys.findByDigest(next)).resolves.toEqual(rolled);

      const revoked = await store().rootKeys.revoke(ws.id, rk.id, T0 + 2);
      expect(revoked).toEqual({ ...rolled, revokedAt: T0 + 2, updatedAt: T0 + 2 });
      await expect(store().rootKeys.revoke(ws.id, rk.id, T0 + 3)).resolves.toEqual(revoked);
      await expect(store().rootKeys.findByDigest(next)).resolves.toEqual(revoked);
      await expect(store().rootKeys.revoke(ws.id, 'rk_unknown', T0)).resolves.toBeNull();
    });

    it('keeps digests unique', async () => {
      const { ws } = await seedTenant(store());
      const rk = rootKey(ws.id);
      const other = rootKey(ws.id);
      await store().rootKeys.create(rk);
      await store().rootKeys.create(other);
      const conflict = { code: 'CONFLICT', field: 'digest' };
      await expect(
        rejection(store().rootKeys.create(rootKey(ws.id, { digest: rk.digest }))),
      ).resolves.toEqual(conflict);
      await expect(
        rejection(store().rootKeys.roll(ws.id, other.id, { digest: rk.digest, hint: 'h' }, T0)),
      ).resolves.toEqual(conflict);
      await expect(store().rootKeys.get(ws.id, other.id)).resolves.toEqual(other);
    });
  });

  describe('audit', () => {
    it('appends and lists with filters', async () => {
      const { ws } = await seedTenant(store());
      const events = [
        auditEvent(ws.id, { createdAt: T0, action: 'key.create', actor: 'rk_a', targetId: 'key_1' }),
        auditEvent(ws.id, {
          createdAt: T0 + 10,
          action: 'key.revoke',
          actor: 'rk_a',
          targetId: 'key_1',
          before: { x: 1 },
        }),
        auditEvent(ws.id, { createdAt: T0 + 20, action: 'key.create', actor: 'rk_b', targetId: 'key_2' }),
        auditEvent(ws.id, {
          createdAt: T0 + 30,
          action: 'api.update',
          actor: 'system',
          targetType: 'api',
          targetId: null,
          before: null,
          after: null,
          ip: null,
          requestId: null,
        }),
      ];
      for (const event of events) await store().audit.append(event);
      const list = async (query: Parameters<ReturnType<GetStore>['audit']['list']>[1]) =>
        (await store().audit.list(ws.id, query)).items;
      const [a, b, c, d] = events;

      await expect(list({})).resolves.toEqual(events);
      await expect(list({ action: 'key.create' })).resolves.toEqual([a, c]);
      await expect(list({ actor: 'rk_a' })).resolves.toEqual([a, b]);
      await expect(list({ targetId: 'key_1', action: 'key.revoke' })).resolves.toEqual([b]);
      await expect(list({ from: T0 + 10 })).resolves.toEqual([b, c, d]);
      await expect(list({ to: T0 + 20 })).resolves.toEqual([a, b]);
      await expect(list({ from: T0 + 10, to: T0 + 30 })).resolves.toEqual([b, c]);
      await expect(list({ actor: 'nobody' })).resolves.toEqual([]);
      await expect(rejection(store().audit.append(a as NonNullable<typeof a>))).resolves.toEqual({
        code: 'CONFLICT',
        field: 'id',
      });
    });
  });

  describe('idempotency', () => {
    it('stores the first reply only and returns it', async () => {
      const { ws } = await seedTenant(store());
      const first = { fingerprint: 'fp-1', status: 201, body: { id: 'key_1', nested: { ok: true } } };
      await expect(store().idempotency.get(ws.id, 'k1', T0)).resolves.toBeNull();
      await expect(store().idempotency.put(ws.id, 'k1', first, T0)).resolves.toBe(true);
      await expect(
        store().idempotency.put(ws.id, 'k1', { ...first, fingerprint: 'fp-2', status: 500 }, T0 + 1),
      ).resolves.toBe(false);
      await expect(store().idempotency.get(ws.id, 'k1', T0 + 2)).resolves.toEqual(first);
      await expect(store().idempotency.get(ws.id, 'k1')).resolves.toBeNull(); // T0 is long past
    });

    it('scopes keys by workspace and expires replies after 24 h', async () => {
      const { ws } = await seedTenant(store());
      const other = await seedTenant(store());
      const reply = { fingerprint: 'fp', status: 200, body: {} };
      await store().idempotency.put(ws.id, 'k', reply, T0);
      await expect(store().idempotency.put(other.ws.id, 'k', { ...reply, status: 202 }, T0)).resolves.toBe(
        true,
      );
      await expect(store().idempotency.get(other.ws.id, 'k', T0)).resolves.toMatchObject({ status: 202 });
      await expect(store().idempotency.get(ws.id, 'k', T0 + IDEMPOTENCY_TTL_MS - 1)).resolves.toEqual(reply);
      await expect(store().idempotency.get(ws.id, 'k', T0 + IDEMPOTENCY_TTL_MS)).resolves.toBeNull();
      const later = { ...reply, fingerprint: 'later' };
      await expect(store().idempotency.put(ws.id, 'k', later, T0 + IDEMPOTENCY_TTL_MS)).resolves.toBe(true);
      await expect(store().idempotency.get(ws.id, 'k', T0 + IDEMPOTENCY_TTL_MS)).resolves.toEqual(later);
    });
  });

  describe('leak reports', () => {
    it('keeps the first record of a report for good, per source', async () => {
      const digest = `d-${Math.random()}`;
      await expect(store().leakReports.get('github', digest)).resolves.toBeNull();
      await expect(store().leakReports.put('github', digest, '[1]', T0)).resolves.toBe(true);
      await expect(store().leakReports.put('github', digest, '[2]', T0 + 1)).resolves.toBe(false);
      await expect(store().leakReports.get('github', digest)).resolves.toBe('[1]');
      await expect(store().leakReports.get('report:ws_1', digest)).resolves.toBeNull();
      await expect(store().leakReports.put('report:ws_1', digest, '[3]', T0)).resolves.toBe(true);
    });
  });
}
