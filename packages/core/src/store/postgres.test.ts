import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { useMigratedPostgres } from '../testing/migrated-postgres.js';
import { serviceAvailable } from '../testing/services.js';
import { describeStoreConformance } from '../testing/store.conformance.js';
import { key, seedTenant, T0, workspace } from '../testing/store-conformance/fixtures.js';
import { createPostgresHandle, createPostgresPool, createStore } from './postgres.js';

const available = await serviceAvailable('postgres');

const TABLES =
  'workspaces, apis, consumers, roles, keys, key_digests, root_keys, audit_events, idempotency, credits';

describe.runIf(available)('postgres', () => {
  const url = useMigratedPostgres();

  /** A store on the run's database, emptied first. */
  const freshStore = async (pool: pg.Pool) => {
    await pool.query(`truncate ${TABLES}`);
    return createStore(createPostgresHandle({ pool }));
  };

  describeStoreConformance('postgres', async () => {
    const store = await freshStore(createPostgresPool(url(), { max: 10 }));
    return { store, cleanup: () => store.close() };
  });

  describe('postgres adapter', () => {
    it('parses int8 as number on its own pool and leaves pg global parsers alone', async () => {
      const pool = createPostgresPool(url());
      const { rows } = await pool.query<{ n: unknown }>('select 5::int8 as n');
      expect(rows[0]?.n).toBe(5);
      expect(pg.types.getTypeParser(20, 'text')('5')).toBe('5');
      const plain = new pg.Pool({ connectionString: url() });
      const { rows: plainRows } = await plain.query<{ n: unknown }>('select 5::int8 as n');
      expect(plainRows[0]?.n).toBe('5');
      await Promise.all([pool.end(), plain.end()]);
    });

    it('maps int8 columns to numbers even on a pool without keyward’s parser', async () => {
      const store = await freshStore(new pg.Pool({ connectionString: url() }));
      const { ws, api } = await seedTenant(store);
      const k = key(ws.id, api.id, { expiresAt: T0 + 1, revokedAt: T0 + 2 });
      await store.keys.create(k);
      await expect(store.keys.findByDigest(k.digest)).resolves.toEqual([{ key: k, graceUntil: null }]);
      await store.credits.set({ kind: 'key', id: k.id }, 3, null, T0);
      await expect(store.credits.spend({ kind: 'key', id: k.id }, 1, T0)).resolves.toEqual({
        ok: true,
        remaining: 2,
      });
      await store.close();
    });

    it('stores booleans as boolean and ids with bytewise order', async () => {
      const pool = createPostgresPool(url());
      const store = await freshStore(pool);
      const { ws, api } = await seedTenant(store);
      await store.keys.create(key(ws.id, api.id, { enabled: false }));
      const ids = ['ws_a', 'ws_B', 'ws_0'];
      for (const id of ids) await store.workspaces.create(workspace({ id }));
      const listed = (await store.workspaces.list()).map((w) => w.id).filter((id) => ids.includes(id));
      expect(listed).toEqual(['ws_0', 'ws_B', 'ws_a']);
      const { rows } = await pool.query<{ enabled: unknown }>('select enabled from keys');
      expect(rows).toEqual([{ enabled: false }]);
      await store.close();
    });
  });
});
