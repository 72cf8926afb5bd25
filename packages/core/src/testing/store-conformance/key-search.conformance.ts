import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../contracts/model.js';
import type { KeyListQuery, Page } from '../../contracts/store.js';
import { consumer, type GetStore, key, rejection, seedTenant, T0, workspace } from './fixtures.js';

const HOUR = 3_600_000;

async function all(store: GetStore, workspaceId: string, query: KeyListQuery): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Page<KeyRecord> = await store().keys.list(workspaceId, { ...query, limit: 2, cursor });
    ids.push(...page.items.map((k) => k.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The keys page of the dashboard: search, state filters and newest-first order, all paged. */
export function describeKeySearchCases(store: GetStore): void {
  describe('key search and state filters', () => {
    it('finds keys by name, hint or consumer external id in any case, and by id', async () => {
      const { ws, api } = await seedTenant(store());
      const acme = consumer(ws.id, { externalId: 'ACME-corp' });
      await store().consumers.create(acme);
      const keys = [
        key(ws.id, api.id, { name: 'Production backend', hint: 'amp_live_aaaa…1111' }),
        key(ws.id, api.id, { name: 'staging', hint: 'amp_live_Prod…2222' }),
        key(ws.id, api.id, { name: null, hint: 'amp_live_cccc…3333', consumerId: acme.id }),
        key(ws.id, api.id, { name: '100%_literal', hint: 'amp_live_dddd…4444' }),
        key(ws.id, api.id, { name: 'other', hint: 'amp_live_eeee…5555' }),
      ];
      await store().keys.createMany(keys);
      const [production, staging, owned, literal, other] = keys.map((k) => k.id) as [
        string,
        string,
        string,
        string,
        string,
      ];

      expect(await all(store, ws.id, { search: 'prod' })).toEqual([production, staging].sort(byId));
      expect(await all(store, ws.id, { search: 'acme' })).toEqual([owned]);
      expect(await all(store, ws.id, { search: '…3333' })).toEqual([owned]);
      expect(await all(store, ws.id, { search: other })).toEqual([other]);
      // LIKE's wildcards match literally.
      expect(await all(store, ws.id, { search: '%_' })).toEqual([literal]);
      expect(await all(store, ws.id, { search: '0%_l' })).toEqual([literal]);
      expect(await all(store, ws.id, { search: '0_' })).toEqual([]);
      expect(await all(store, ws.id, { search: 'nothing like it' })).toEqual([]);
    });

    it('never finds another workspace keys or consumers', async () => {
      const { ws, api } = await seedTenant(store());
      const other = workspace();
      await store().workspaces.create(other);
      const theirs = consumer(other.id, { externalId: 'shared-name' });
      await store().consumers.create(theirs);
      const mine = key(ws.id, api.id, { name: 'shared-name' });
      await store().keys.create(mine);
      expect(await all(store, other.id, { search: 'shared-name' })).toEqual([]);
      expect(await all(store, other.id, { search: mine.id })).toEqual([]);
      expect(await all(store, ws.id, { search: 'shared-name' })).toEqual([mine.id]);
    });

    it('filters by derived state at the given moment', async () => {
      const { ws, api } = await seedTenant(store());
      const at = T0 + 10 * HOUR;
      const keys = {
        active: key(ws.id, api.id, { expiresAt: null }),
        activeUntilLater: key(ws.id, api.id, { expiresAt: at + HOUR }),
        disabled: key(ws.id, api.id, { enabled: false, expiresAt: null }),
        expired: key(ws.id, api.id, { expiresAt: at }),
        expiredAndDisabled: key(ws.id, api.id, { expiresAt: at - HOUR, enabled: false }),
        revoked: key(ws.id, api.id, { revokedAt: T0, expiresAt: at - HOUR, enabled: false }),
      };
      await store().keys.createMany(Object.values(keys));
      const ids = (...names: Array<keyof typeof keys>) => names.map((n) => keys[n].id).sort(byId);
      expect(await all(store, ws.id, { state: { is: 'active', at } })).toEqual(
        ids('active', 'activeUntilLater'),
      );
      expect(await all(store, ws.id, { state: { is: 'disabled', at } })).toEqual(ids('disabled'));
      expect(await all(store, ws.id, { state: { is: 'expired', at } })).toEqual(
        ids('expired', 'expiredAndDisabled'),
      );
      expect(await all(store, ws.id, { state: { is: 'revoked', at } })).toEqual(ids('revoked'));
      // Earlier, the expired keys were still live.
      expect(await all(store, ws.id, { state: { is: 'active', at: at - 2 * HOUR } })).toEqual(
        ids('active', 'activeUntilLater', 'expired'),
      );
    });

    it('pages newest first, with search and filters combined', async () => {
      const { ws, api } = await seedTenant(store());
      const keys = Array.from({ length: 9 }, (_, i) =>
        key(ws.id, api.id, {
          name: i % 2 === 0 ? `even ${i}` : `odd ${i}`,
          enabled: i % 3 !== 0,
          expiresAt: null,
        }),
      );
      await store().keys.createMany([...keys].reverse());
      const newestFirst = (filter: (k: KeyRecord) => boolean) =>
        keys
          .filter(filter)
          .map((k) => k.id)
          .sort(byId)
          .reverse();
      expect(await all(store, ws.id, { order: 'desc' })).toEqual(newestFirst(() => true));
      expect(await all(store, ws.id, { order: 'desc', search: 'even' })).toEqual(
        newestFirst((k) => k.name?.startsWith('even') === true),
      );
      expect(
        await all(store, ws.id, {
          order: 'desc',
          search: 'even',
          apiId: api.id,
          state: { is: 'active', at: T0 },
        }),
      ).toEqual(newestFirst((k) => k.name?.startsWith('even') === true && k.enabled));
    });

    it('refuses an empty or overlong search, naming the field', async () => {
      const { ws } = await seedTenant(store());
      await expect(rejection(store().keys.list(ws.id, { search: '' }))).resolves.toEqual({
        code: 'VALIDATION',
        field: 'search',
      });
      await expect(rejection(store().keys.list(ws.id, { search: 'x'.repeat(201) }))).resolves.toEqual({
        code: 'VALIDATION',
        field: 'search',
      });
    });
  });
}
