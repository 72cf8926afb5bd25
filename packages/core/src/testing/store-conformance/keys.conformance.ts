import { describe, expect, it } from 'vitest';
import { consumer, digest, type GetStore, key, rejection, seedTenant, T0 } from './fixtures.js';

const CONFLICT_DIGEST = { code: 'CONFLICT', field: 'digest' };

/** Keys: round trip, digest lookup, roll with grace, revoke, delete, bulk create. */
export function describeKeyCases(store: GetStore): void {
  describe('keys', () => {
    it('round-trips every field, by id and by digest', async () => {
      const { ws, api } = await seedTenant(store());
      const c = consumer(ws.id);
      await store().consumers.create(c);
      const full = key(ws.id, api.id, { consumerId: c.id });
      const bare = key(ws.id, api.id, {
        name: null,
        meta: null,
        permissions: [],
        roles: [],
        ratelimits: [],
        credits: null,
        allowedIps: [],
        environment: 'test',
        enabled: false,
        disabledReason: 'leaked',
        expiresAt: null,
        revokedAt: T0 + 1,
        imported: true,
      });
      await store().keys.create(full);
      await store().keys.create(bare);
      await expect(store().keys.get(ws.id, full.id)).resolves.toEqual(full);
      await expect(store().keys.get(ws.id, bare.id)).resolves.toEqual(bare);
      await expect(store().keys.findByDigest(full.digest)).resolves.toEqual([
        { key: full, graceUntil: null },
      ]);
      await expect(store().keys.findByDigest(bare.digest)).resolves.toEqual([
        { key: bare, graceUntil: null },
      ]);
      await expect(store().keys.findByDigest(digest())).resolves.toEqual([]);
      await expect(store().keys.get(ws.id, 'key_unknown')).resolves.toBeNull();
    });

    it('rejects a digest in use, current or previous, with CONFLICT on digest', async () => {
      const { ws, api } = await seedTenant(store());
      const first = key(ws.id, api.id);
      await store().keys.create(first);
      await expect(
        rejection(store().keys.create(key(ws.id, api.id, { digest: first.digest }))),
      ).resolves.toEqual(CONFLICT_DIGEST);
      await store().keys.roll(ws.id, first.id, { digest: digest(), hint: 'h', graceUntil: T0 + 10 }, T0);
      const reuse = key(ws.id, api.id, { digest: first.digest });
      await expect(rejection(store().keys.create(reuse))).resolves.toEqual(CONFLICT_DIGEST);
      await expect(store().keys.get(ws.id, reuse.id)).resolves.toBeNull();
    });

    it('digests are unique per workspace: another workspace may hold the same, current or previous', async () => {
      const mine = await seedTenant(store());
      const theirs = await seedTenant(store());
      const shared = digest();
      const older = key(theirs.ws.id, theirs.api.id, { digest: shared, createdAt: T0 - 10 });
      const newer = key(mine.ws.id, mine.api.id, { digest: shared });
      await store().keys.create(older);
      await store().keys.create(newer);
      await expect(store().keys.findByDigest(shared)).resolves.toEqual([
        { key: older, graceUntil: null },
        { key: newer, graceUntil: null },
      ]);
      // Rolling both leaves the shared digest previous in both workspaces.
      await store().keys.roll(
        theirs.ws.id,
        older.id,
        { digest: digest(), hint: 'h', graceUntil: T0 + 9 },
        T0,
      );
      await store().keys.roll(mine.ws.id, newer.id, { digest: digest(), hint: 'h', graceUntil: T0 + 7 }, T0);
      const found = await store().keys.findByDigest(shared);
      expect(found.map((f) => [f.key.id, f.graceUntil])).toEqual([
        [older.id, T0 + 9],
        [newer.id, T0 + 7],
      ]);
      // A workspace's own previous digest still conflicts; another workspace's never does.
      await expect(
        rejection(store().keys.create(key(mine.ws.id, mine.api.id, { digest: shared }))),
      ).resolves.toEqual(CONFLICT_DIGEST);
      const third = await seedTenant(store());
      await expect(
        store().keys.createMany([key(third.ws.id, third.api.id, { digest: shared })]),
      ).resolves.toBeUndefined();
    });

    it('updates only the fields given, and bumps updatedAt', async () => {
      const { ws, api } = await seedTenant(store());
      const c = consumer(ws.id);
      await store().consumers.create(c);
      const k = key(ws.id, api.id);
      await store().keys.create(k);
      const patch = {
        name: null,
        meta: { a: 1 },
        permissions: ['x:y'],
        roles: [],
        ratelimits: [],
        credits: null,
        allowedIps: ['192.0.2.1/32'],
        enabled: false,
        disabledReason: 'abuse',
        expiresAt: null,
        consumerId: c.id,
      };
      const updated = await store().keys.update(ws.id, k.id, patch, T0 + 9);
      expect(updated).toEqual({ ...k, ...patch, updatedAt: T0 + 9 });
      await expect(store().keys.findByDigest(k.digest)).resolves.toEqual([
        { key: updated, graceUntil: null },
      ]);
      const renamed = await store().keys.update(ws.id, k.id, { name: 'renamed' }, T0 + 10);
      expect(renamed).toEqual({ ...k, ...patch, name: 'renamed', updatedAt: T0 + 10 });
    });

    it('keeps rule modes: a dry-run allow-list, rate limit and quota; back to enforce drops the field', async () => {
      const { ws, api } = await seedTenant(store());
      const k = key(ws.id, api.id, {
        allowedIps: ['192.0.2.0/24'],
        allowedIpsMode: 'dry-run',
        ratelimits: [{ name: 'burst', limit: 5, duration: 1000, algorithm: 'token_bucket', mode: 'dry-run' }],
        credits: { refill: null, mode: 'dry-run' },
      });
      await store().keys.create(k);
      await expect(store().keys.get(ws.id, k.id)).resolves.toEqual(k);
      const enforced = await store().keys.update(ws.id, k.id, { allowedIpsMode: 'enforce' }, T0 + 5);
      const { allowedIpsMode: _dropped, ...rest } = k;
      expect(enforced).toEqual({ ...rest, updatedAt: T0 + 5 });
      await expect(store().keys.get(ws.id, k.id)).resolves.toEqual({ ...rest, updatedAt: T0 + 5 });
    });

    it('revokes idempotently: the first revokedAt stays', async () => {
      const { ws, api } = await seedTenant(store());
      const k = key(ws.id, api.id);
      await store().keys.create(k);
      const first = await store().keys.revoke(ws.id, k.id, T0 + 100);
      expect(first).toEqual({ ...k, revokedAt: T0 + 100, updatedAt: T0 + 100 });
      await expect(store().keys.revoke(ws.id, k.id, T0 + 200)).resolves.toEqual(first);
      await expect(store().keys.get(ws.id, k.id)).resolves.toEqual(first);
      await expect(store().keys.revoke(ws.id, 'key_unknown', T0)).resolves.toBeNull();
    });

    it('rolls: the new digest is current, the old one resolves with its grace deadline', async () => {
      const { ws, api } = await seedTenant(store());
      const k = key(ws.id, api.id);
      await store().keys.create(k);
      const second = digest();
      const rolled = await store().keys.roll(
        ws.id,
        k.id,
        { digest: second, hint: 'new-hint', graceUntil: T0 + 500 },
        T0 + 1,
      );
      const expected = { ...k, digest: second, hint: 'new-hint', rolledAt: T0 + 1, updatedAt: T0 + 1 };
      expect(rolled).toEqual({ key: expected, oldDigest: k.digest });
      const roll = { rolledAt: T0 + 1, graceUntil: T0 + 500 };
      await expect(store().keys.findByDigest(second)).resolves.toEqual([
        { key: expected, graceUntil: null, roll },
      ]);
      await expect(store().keys.findByDigest(k.digest)).resolves.toEqual([
        {
          key: expected,
          graceUntil: T0 + 500,
          roll,
        },
      ]);

      const third = digest();
      const again = await store().keys.roll(
        ws.id,
        k.id,
        { digest: third, hint: 'h3', graceUntil: T0 + 900 },
        T0 + 2,
      );
      expect(again?.oldDigest).toBe(second);
      await expect(store().keys.findByDigest(second)).resolves.toMatchObject([{ graceUntil: T0 + 900 }]);
      await expect(store().keys.findByDigest(k.digest)).resolves.toMatchObject([{ graceUntil: T0 + 500 }]);
      await expect(store().keys.findByDigest(third)).resolves.toMatchObject([
        {
          key: { hint: 'h3' },
          graceUntil: null,
        },
      ]);
      expect((await store().keys.digests(k.id)).sort()).toEqual([k.digest, second, third].sort());
      await expect(
        store().keys.roll(ws.id, 'key_unknown', { digest: digest(), hint: 'h', graceUntil: T0 }, T0),
      ).resolves.toBeNull();
    });

    it('refuses to roll onto a digest in use and changes nothing', async () => {
      const { ws, api } = await seedTenant(store());
      const k = key(ws.id, api.id);
      const other = key(ws.id, api.id);
      await store().keys.create(k);
      await store().keys.create(other);
      const rolled = await store().keys.roll(
        ws.id,
        other.id,
        { digest: digest(), hint: 'h', graceUntil: T0 },
        T0 + 1,
      );
      const taken = [k.digest, other.digest, rolled?.key.digest ?? ''];
      for (const used of taken) {
        await expect(
          rejection(store().keys.roll(ws.id, k.id, { digest: used, hint: 'x', graceUntil: T0 + 5 }, T0 + 2)),
        ).resolves.toEqual(CONFLICT_DIGEST);
      }
      await expect(store().keys.get(ws.id, k.id)).resolves.toEqual(k);
      await expect(store().keys.digests(k.id)).resolves.toEqual([k.digest]);
    });

    it('deletes a key and returns every digest it had', async () => {
      const { ws, api } = await seedTenant(store());
      const k = key(ws.id, api.id);
      await store().keys.create(k);
      const rolled = await store().keys.roll(
        ws.id,
        k.id,
        { digest: digest(), hint: 'h', graceUntil: T0 },
        T0,
      );
      await store().credits.set({ kind: 'key', id: k.id }, 3, null, T0);
      const digests = await store().keys.delete(ws.id, k.id);
      expect(digests?.sort()).toEqual([k.digest, rolled?.key.digest].sort());
      await expect(store().keys.get(ws.id, k.id)).resolves.toBeNull();
      await expect(store().keys.findByDigest(k.digest)).resolves.toEqual([]);
      await expect(store().keys.findByDigest(rolled?.key.digest ?? '')).resolves.toEqual([]);
      await expect(store().keys.digests(k.id)).resolves.toEqual([]);
      await expect(store().credits.get({ kind: 'key', id: k.id }, T0)).resolves.toBeNull();
      await expect(store().keys.delete(ws.id, k.id)).resolves.toBeNull();
    });

    it('creates many keys all or none', async () => {
      const { ws, api } = await seedTenant(store());
      const batch = Array.from({ length: 1_200 }, () => key(ws.id, api.id, { imported: true }));
      await store().keys.createMany(batch);
      const probe = batch[1_100];
      await expect(store().keys.findByDigest(probe?.digest ?? '')).resolves.toEqual([
        {
          key: probe,
          graceUntil: null,
        },
      ]);

      const existing = batch[0];
      const bad = [key(ws.id, api.id), key(ws.id, api.id, { digest: existing?.digest ?? '' })];
      await expect(rejection(store().keys.createMany(bad))).resolves.toEqual(CONFLICT_DIGEST);
      await expect(store().keys.get(ws.id, bad[0]?.id ?? '')).resolves.toBeNull();

      const dup = digest();
      const twins = [key(ws.id, api.id, { digest: dup }), key(ws.id, api.id, { digest: dup })];
      await expect(rejection(store().keys.createMany(twins))).resolves.toEqual(CONFLICT_DIGEST);
      await expect(store().keys.get(ws.id, twins[0]?.id ?? '')).resolves.toBeNull();

      const rolledAway = key(ws.id, api.id);
      await store().keys.create(rolledAway);
      await store().keys.roll(ws.id, rolledAway.id, { digest: digest(), hint: 'h', graceUntil: T0 }, T0);
      const stale = [key(ws.id, api.id), key(ws.id, api.id, { digest: rolledAway.digest })];
      await expect(rejection(store().keys.createMany(stale))).resolves.toEqual(CONFLICT_DIGEST);
      await expect(store().keys.get(ws.id, stale[0]?.id ?? '')).resolves.toBeNull();
      await expect(store().keys.createMany([])).resolves.toBeUndefined();
    });

    it('says whether any imported key exists', async () => {
      const { ws, api } = await seedTenant(store());
      await expect(store().keys.hasImported()).resolves.toBe(false);
      await store().keys.create(key(ws.id, api.id));
      await expect(store().keys.hasImported()).resolves.toBe(false);
      const imported = key(ws.id, api.id, { imported: true });
      await store().keys.create(imported);
      await expect(store().keys.hasImported()).resolves.toBe(true);
      await store().keys.delete(ws.id, imported.id);
      await expect(store().keys.hasImported()).resolves.toBe(false);
    });
  });
}
