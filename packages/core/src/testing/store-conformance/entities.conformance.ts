import { describe, expect, it } from 'vitest';
import { api, consumer, type GetStore, key, rejection, role, seedTenant, T0, workspace } from './fixtures.js';

/** Workspaces, APIs, consumers and roles: CRUD and unique constraints. */
export function describeEntityCases(store: GetStore): void {
  describe('workspaces', () => {
    it('creates, gets and lists in id order', async () => {
      const a = workspace({ name: 'A' });
      const b = workspace({ name: 'B' });
      await store().workspaces.create(a);
      await store().workspaces.create(b);
      await expect(store().workspaces.get(a.id)).resolves.toEqual(a);
      await expect(store().workspaces.get('ws_unknown')).resolves.toBeNull();
      await expect(store().workspaces.list()).resolves.toEqual([a, b]);
    });

    it('rejects a duplicate id with CONFLICT on id', async () => {
      const a = workspace();
      await store().workspaces.create(a);
      await expect(rejection(store().workspaces.create({ ...a, name: 'other' }))).resolves.toEqual({
        code: 'CONFLICT',
        field: 'id',
      });
    });
  });

  describe('apis', () => {
    it('creates, gets, updates and deletes', async () => {
      const { ws, api: first } = await seedTenant(store());
      await expect(store().apis.get(ws.id, first.id)).resolves.toEqual(first);
      const updated = await store().apis.update(ws.id, first.id, { name: 'Renamed' }, T0 + 5);
      expect(updated).toEqual({ ...first, name: 'Renamed', updatedAt: T0 + 5 });
      await expect(store().apis.get(ws.id, first.id)).resolves.toEqual(updated);
      await expect(
        store().apis.update(ws.id, first.id, { prefix: 'amp_test' }, T0 + 6),
      ).resolves.toMatchObject({
        name: 'Renamed',
        prefix: 'amp_test',
      });
      await expect(store().apis.delete(ws.id, first.id)).resolves.toBe(true);
      await expect(store().apis.get(ws.id, first.id)).resolves.toBeNull();
      await expect(store().apis.delete(ws.id, first.id)).resolves.toBe(false);
      await expect(store().apis.update(ws.id, first.id, { name: 'x' }, T0)).resolves.toBeNull();
    });

    it('deletes its keys, their previous digests and credits, and leaves other APIs alone', async () => {
      const { ws, api: doomed } = await seedTenant(store());
      const kept = api(ws.id);
      await store().apis.create(kept);
      const gone = key(ws.id, doomed.id);
      const stays = key(ws.id, kept.id);
      await store().keys.create(gone);
      await store().keys.create(stays);
      const rolled = await store().keys.roll(
        ws.id,
        gone.id,
        { digest: 'next-digest', hint: 'h', graceUntil: T0 },
        T0,
      );
      await store().credits.set({ kind: 'key', id: gone.id }, 5, null, T0);
      await store().credits.set({ kind: 'key', id: stays.id }, 7, null, T0);

      await expect(store().apis.delete(ws.id, doomed.id)).resolves.toBe(true);
      await expect(store().keys.get(ws.id, gone.id)).resolves.toBeNull();
      await expect(store().keys.findByDigest('next-digest')).resolves.toEqual([]);
      await expect(store().keys.findByDigest(rolled?.oldDigest ?? '')).resolves.toEqual([]);
      await expect(store().credits.get({ kind: 'key', id: gone.id }, T0)).resolves.toBeNull();
      await expect(store().keys.get(ws.id, stays.id)).resolves.toEqual(stays);
      await expect(store().credits.get({ kind: 'key', id: stays.id }, T0)).resolves.toBe(7);
      // The previous digest is free again: a new key may use it.
      await expect(
        store().keys.create(key(ws.id, kept.id, { digest: gone.digest })),
      ).resolves.toBeUndefined();
    });
  });

  describe('consumers', () => {
    it('round-trips every field and finds by external id', async () => {
      const { ws } = await seedTenant(store());
      const c = consumer(ws.id);
      const bare = consumer(ws.id, { name: null, meta: null, ratelimits: [], credits: null });
      await store().consumers.create(c);
      await store().consumers.create(bare);
      await expect(store().consumers.get(ws.id, c.id)).resolves.toEqual(c);
      await expect(store().consumers.get(ws.id, bare.id)).resolves.toEqual(bare);
      await expect(store().consumers.getByExternalId(ws.id, c.externalId)).resolves.toEqual(c);
      await expect(store().consumers.getByExternalId(ws.id, 'nobody')).resolves.toBeNull();
    });

    it('updates only the fields given', async () => {
      const { ws } = await seedTenant(store());
      const c = consumer(ws.id);
      await store().consumers.create(c);
      const patch = { meta: null, ratelimits: [], credits: null, externalId: 'renamed' };
      const updated = await store().consumers.update(ws.id, c.id, patch, T0 + 1);
      expect(updated).toEqual({ ...c, ...patch, updatedAt: T0 + 1 });
      await expect(store().consumers.get(ws.id, c.id)).resolves.toEqual(updated);
    });

    it('keeps externalId unique per workspace, on create and on update', async () => {
      const { ws } = await seedTenant(store());
      const other = await seedTenant(store());
      const c = consumer(ws.id, { externalId: 'acme' });
      const d = consumer(ws.id, { externalId: 'globex' });
      await store().consumers.create(c);
      await store().consumers.create(d);
      const conflict = { code: 'CONFLICT', field: 'externalId' };
      await expect(
        rejection(store().consumers.create(consumer(ws.id, { externalId: 'acme' }))),
      ).resolves.toEqual(conflict);
      await expect(
        rejection(store().consumers.update(ws.id, d.id, { externalId: 'acme' }, T0)),
      ).resolves.toEqual(conflict);
      await expect(store().consumers.get(ws.id, d.id)).resolves.toEqual(d);
      // Another workspace may use the same external id.
      await expect(
        store().consumers.create(consumer(other.ws.id, { externalId: 'acme' })),
      ).resolves.toBeUndefined();
    });

    it('deletes a consumer: its keys stay with consumerId null, its credits go', async () => {
      const { ws, api: first } = await seedTenant(store());
      const c = consumer(ws.id);
      await store().consumers.create(c);
      const owned = key(ws.id, first.id, { consumerId: c.id });
      await store().keys.create(owned);
      await store().credits.set({ kind: 'consumer', id: c.id }, 10, null, T0);
      await expect(store().consumers.delete(ws.id, c.id)).resolves.toBe(true);
      await expect(store().consumers.get(ws.id, c.id)).resolves.toBeNull();
      await expect(store().keys.get(ws.id, owned.id)).resolves.toMatchObject({
        consumerId: null,
        digest: owned.digest,
      });
      await expect(store().credits.get({ kind: 'consumer', id: c.id }, T0)).resolves.toBeNull();
      await expect(store().consumers.delete(ws.id, c.id)).resolves.toBe(false);
    });
  });

  describe('roles', () => {
    it('creates, gets by id and by names, updates, deletes', async () => {
      const { ws } = await seedTenant(store());
      const reader = role(ws.id, { name: 'reader' });
      const writer = role(ws.id, { name: 'writer', description: null, permissions: [] });
      await store().roles.create(reader);
      await store().roles.create(writer);
      await expect(store().roles.get(ws.id, reader.id)).resolves.toEqual(reader);
      const byNames = await store().roles.getByNames(ws.id, ['writer', 'reader', 'ghost', 'reader']);
      expect(byNames.sort((a, b) => a.name.localeCompare(b.name))).toEqual([reader, writer]);
      await expect(store().roles.getByNames(ws.id, [])).resolves.toEqual([]);
      const updated = await store().roles.update(
        ws.id,
        writer.id,
        { permissions: ['keys:*'], description: 'd' },
        T0 + 2,
      );
      expect(updated).toEqual({ ...writer, permissions: ['keys:*'], description: 'd', updatedAt: T0 + 2 });
      await expect(store().roles.delete(ws.id, writer.id)).resolves.toBe(true);
      await expect(store().roles.get(ws.id, writer.id)).resolves.toBeNull();
      await expect(store().roles.delete(ws.id, writer.id)).resolves.toBe(false);
    });

    it('keeps names unique per workspace', async () => {
      const { ws } = await seedTenant(store());
      const other = await seedTenant(store());
      const reader = role(ws.id, { name: 'reader' });
      const writer = role(ws.id, { name: 'writer' });
      await store().roles.create(reader);
      await store().roles.create(writer);
      const conflict = { code: 'CONFLICT', field: 'name' };
      await expect(rejection(store().roles.create(role(ws.id, { name: 'reader' })))).resolves.toEqual(
        conflict,
      );
      await expect(
        rejection(store().roles.update(ws.id, writer.id, { name: 'reader' }, T0)),
      ).resolves.toEqual(conflict);
      await expect(store().roles.create(role(other.ws.id, { name: 'reader' }))).resolves.toBeUndefined();
      await expect(store().roles.getByNames(other.ws.id, ['reader'])).resolves.toHaveLength(1);
    });
  });
}
