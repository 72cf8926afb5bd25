import { describe, expect, it } from 'vitest';
import type { Page, PageQuery } from '../../contracts/store.js';
import {
  api,
  auditEvent,
  consumer,
  type GetStore,
  key,
  rejection,
  role,
  rootKey,
  seedTenant,
} from './fixtures.js';

/** Walks every page with `limit`, checking that each page but the last is full. */
async function walk<T extends { id: string }>(
  limit: number,
  fetch: (query: PageQuery) => Promise<Page<T>>,
): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Page<T> = await fetch({ limit, cursor });
    seen.push(...page.items.map((item) => item.id));
    if (page.nextCursor === null) return seen;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

const sorted = (ids: string[]): string[] => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Cursor pagination: id order, no duplicates, no gaps, filters applied on every page. */
export function describePaginationCases(store: GetStore): void {
  describe('pagination', () => {
    it('pages keys in id order with and without filters', async () => {
      const { ws, api: first } = await seedTenant(store());
      const second = api(ws.id);
      await store().apis.create(second);
      const c = consumer(ws.id);
      await store().consumers.create(c);
      const keys = Array.from({ length: 23 }, (_, i) =>
        key(ws.id, i % 2 === 0 ? first.id : second.id, { consumerId: i % 3 === 0 ? c.id : null }),
      );
      // Inserted out of order: the pages must still come in id order.
      await store().keys.createMany([...keys].reverse());
      const ids = (filter: (k: (typeof keys)[number]) => boolean) =>
        sorted(keys.filter(filter).map((k) => k.id));

      await expect(walk(5, (q) => store().keys.list(ws.id, q))).resolves.toEqual(ids(() => true));
      await expect(walk(1, (q) => store().keys.list(ws.id, q))).resolves.toEqual(ids(() => true));
      await expect(walk(100, (q) => store().keys.list(ws.id, q))).resolves.toEqual(ids(() => true));
      await expect(walk(4, (q) => store().keys.list(ws.id, { ...q, apiId: second.id }))).resolves.toEqual(
        ids((k) => k.apiId === second.id),
      );
      await expect(walk(2, (q) => store().keys.list(ws.id, { ...q, consumerId: c.id }))).resolves.toEqual(
        ids((k) => k.consumerId === c.id),
      );
      await expect(
        walk(3, (q) => store().keys.list(ws.id, { ...q, apiId: first.id, consumerId: c.id })),
      ).resolves.toEqual(ids((k) => k.apiId === first.id && k.consumerId === c.id));
      const page = await store().keys.list(ws.id, {});
      expect(page.items).toHaveLength(23);
      expect(page.nextCursor).toBeNull();
    });

    it('defaults to 50 items a page', async () => {
      const { ws, api: first } = await seedTenant(store());
      await store().keys.createMany(Array.from({ length: 51 }, () => key(ws.id, first.id)));
      const page = await store().keys.list(ws.id, {});
      expect(page.items).toHaveLength(50);
      expect(page.nextCursor).not.toBeNull();
    });

    it('pages every other listing', async () => {
      const { ws, api: first } = await seedTenant(store());
      const apis = [first, ...Array.from({ length: 6 }, () => api(ws.id))];
      const consumers = Array.from({ length: 7 }, () => consumer(ws.id));
      const roles = Array.from({ length: 7 }, () => role(ws.id));
      const rootKeys = Array.from({ length: 7 }, () => rootKey(ws.id));
      const events = Array.from({ length: 7 }, () => auditEvent(ws.id));
      for (const a of apis.slice(1).reverse()) await store().apis.create(a);
      for (const c of [...consumers].reverse()) await store().consumers.create(c);
      for (const r of [...roles].reverse()) await store().roles.create(r);
      for (const r of [...rootKeys].reverse()) await store().rootKeys.create(r);
      for (const e of [...events].reverse()) await store().audit.append(e);
      const ids = (items: { id: string }[]) => sorted(items.map((item) => item.id));

      await expect(walk(3, (q) => store().apis.list(ws.id, q))).resolves.toEqual(ids(apis));
      await expect(walk(3, (q) => store().consumers.list(ws.id, q))).resolves.toEqual(ids(consumers));
      await expect(walk(3, (q) => store().roles.list(ws.id, q))).resolves.toEqual(ids(roles));
      await expect(walk(3, (q) => store().rootKeys.list(ws.id, q))).resolves.toEqual(ids(rootKeys));
      await expect(walk(3, (q) => store().audit.list(ws.id, q))).resolves.toEqual(ids(events));
    });

    it('rejects a bad limit or cursor with VALIDATION naming the field', async () => {
      const { ws } = await seedTenant(store());
      for (const limit of [0, 101, 2.5, -1, Number.NaN]) {
        await expect(rejection(store().keys.list(ws.id, { limit }))).resolves.toEqual({
          code: 'VALIDATION',
          field: 'limit',
        });
      }
      for (const cursor of ['', 'not base64!', '%%%', Buffer.from('\u0000bad').toString('base64url')]) {
        await expect(rejection(store().apis.list(ws.id, { cursor }))).resolves.toEqual({
          code: 'VALIDATION',
          field: 'cursor',
        });
      }
    });
  });
}
