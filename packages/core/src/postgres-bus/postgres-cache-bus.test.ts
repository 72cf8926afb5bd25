import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InvalidationMessage } from '../contracts/cache-bus.js';
import { describeCacheBusConformance } from '../testing/cache-bus.conformance.js';
import { POSTGRES_URL, serviceAvailable, uniqueName } from '../testing/services.js';
import { createPostgresCacheBus, type PostgresCacheBus } from './postgres-cache-bus.js';

const postgresUp = await serviceAvailable('postgres');
const WAIT = { timeout: 10_000, interval: 20 };

describe.skipIf(!postgresUp)('PostgreSQL cache bus', () => {
  describeCacheBusConformance('postgres LISTEN/NOTIFY', {
    transport: async () => {
      const channel = uniqueName('kw_test_invalidate');
      const pools: pg.Pool[] = [];
      return {
        async connect() {
          const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
          pools.push(pool);
          const bus = createPostgresCacheBus({ pool, channel });
          await bus.ready();
          return bus;
        },
        async dispose() {
          await Promise.all(pools.map((pool) => pool.end()));
        },
      };
    },
  });

  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const openBus = async (channel: string, onError?: (error: unknown) => void) => {
    const applicationName = uniqueName('kw_bus');
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2, application_name: applicationName });
    cleanups.push(() => pool.end());
    const bus: PostgresCacheBus = createPostgresCacheBus({
      pool,
      channel,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      ...(onError ? { onError } : {}),
    });
    cleanups.push(() => bus.close());
    await bus.ready();
    return { bus, pool, applicationName };
  };

  it('drops malformed payloads without throwing and keeps delivering valid ones', async () => {
    const channel = uniqueName('kw_test_invalidate');
    const errors: unknown[] = [];
    const { bus, pool } = await openBus(channel, (error) => errors.push(error));
    const seen: InvalidationMessage[] = [];
    bus.subscribe((message) => seen.push(message));
    const garbage = ['', 'not json', '{"type":"key","keyId":"key_1","digests":"d"}', '{"type":"workspace"}'];
    for (const payload of garbage) await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    await bus.publish({ type: 'workspace', workspaceId: 'ws_1' });
    await vi.waitFor(() => expect(seen).toEqual([{ type: 'workspace', workspaceId: 'ws_1' }]), WAIT);
    expect(errors).toHaveLength(garbage.length);
  });

  it('reconnects after its LISTEN connection is killed and flushes local caches with { type: all }', async () => {
    const channel = uniqueName('kw_test_invalidate');
    const errors: unknown[] = [];
    const { bus, pool, applicationName } = await openBus(channel, (error) => errors.push(error));
    const seen: InvalidationMessage[] = [];
    bus.subscribe((message) => seen.push(message));

    for (let round = 1; round <= 2; round++) {
      const killed = await pool.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
        [applicationName],
      );
      expect(killed.rows).toEqual([{ ok: true }]);
      await vi.waitFor(
        () => expect(seen.filter((message) => message.type === 'all')).toHaveLength(round),
        WAIT,
      );
      await bus.publish({ type: 'consumer', consumerId: `con_${round}` });
      await vi.waitFor(
        () => expect(seen.at(-1)).toEqual({ type: 'consumer', consumerId: `con_${round}` }),
        WAIT,
      );
    }
    expect(seen).toEqual([
      { type: 'all' },
      { type: 'consumer', consumerId: 'con_1' },
      { type: 'all' },
      { type: 'consumer', consumerId: 'con_2' },
    ]);
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a malformed message and publishing on a closed bus', async () => {
    const { bus } = await openBus(uniqueName('kw_test_invalidate'));
    await expect(bus.publish({ type: 'key', keyId: '', digests: [] })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await bus.close();
    await expect(bus.publish({ type: 'all' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('reports ready() as failed while PostgreSQL is unreachable', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres' });
    cleanups.push(() => pool.end());
    const bus = createPostgresCacheBus({ pool, reconnect: { minDelayMs: 1000, maxDelayMs: 1000 } });
    cleanups.push(() => bus.close());
    await expect(bus.ready()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
