import { generateKey } from '@keyward/core';
import {
  createThrowawayDatabase,
  serviceAvailable,
  startThrowawayRedisServer,
  type ThrowawayDatabase,
  type ThrowawayRedisServer,
  uniqueName,
} from '@keyward/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/start.js';
import { eventually, type KeywardHttp, keywardHttp, type Reply } from '../src/testing/keyward-http.js';
import { seedWorkspace } from '../src/testing/seed.js';

/**
 * Redis goes away under two nodes sharing PostgreSQL (its own redis-server, killed and
 * restarted; the shared one on 6379 is never touched): one node configured to fail rate
 * limits closed, one open. Authentication never depends on the mode, quotas never fail
 * open, /readyz names Redis, and both nodes recover by themselves.
 */
const enabled = await serviceAvailable('postgres');

describe.skipIf(!enabled)('two keyward nodes while Redis is down', () => {
  let database: ThrowawayDatabase;
  let redis: ThrowawayRedisServer;
  let closedNode: RunningServer;
  let openNode: RunningServer;
  let closed: KeywardHttp;
  let open: KeywardHttp;
  let prefix = '';
  const keys = { limited: '', plain: '', quota: '', victim: '' };
  let victimId = '';

  const expectUnavailable = (reply: Reply) => {
    expect(reply.status).toBe(503);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.headers.get('retry-after')).toBe('1');
  };

  beforeAll(async () => {
    [database, redis] = await Promise.all([createThrowawayDatabase(), startThrowawayRedisServer()]);
    const env = {
      KEYWARD_DATABASE_URL: database.url,
      KEYWARD_REDIS_URL: redis.url,
      KEYWARD_REDIS_PREFIX: `${uniqueName('kw')}:`,
      KEYWARD_PORT: '0',
      KEYWARD_LOG_LEVEL: 'silent',
      // Long enough that only an invalidation can refresh an entry during the test.
      KEYWARD_CACHE_TTL_MS: '600000',
    };
    const closedConfig = loadConfig({ ...env, KEYWARD_RATELIMIT_FAIL_MODE: 'closed' });
    const { rootKey } = await seedWorkspace(closedConfig);
    [closedNode, openNode] = await Promise.all([
      startServer(closedConfig),
      startServer(loadConfig({ ...env, KEYWARD_RATELIMIT_FAIL_MODE: 'open' })),
    ]);
    closed = keywardHttp(closedNode.url, rootKey);
    open = keywardHttp(openNode.url, rootKey);
    const api = await closed.createApi();
    prefix = api.prefix;
    const create = async (settings: Record<string, unknown>) => {
      const reply = await closed.request('POST', '/v1/keys', { apiId: api.id, ...settings });
      expect(reply.status).toBe(201);
      return reply.body as { id: string; key: string };
    };
    keys.limited = (
      await create({
        ratelimits: [{ name: 'requests', limit: 1000, duration: 60_000, algorithm: 'sliding_window' }],
      })
    ).key;
    keys.plain = (await create({})).key;
    keys.quota = (await create({ credits: { remaining: 1000 } })).key;
    const victim = await create({});
    keys.victim = victim.key;
    victimId = victim.id;
    for (const node of [closed, open])
      for (const key of Object.values(keys))
        expect((await node.verify(key)).body).toMatchObject({ valid: true });
  }, 60_000);

  afterAll(async () => {
    await redis?.restart().catch(() => {});
    await Promise.all([closedNode?.close(), openNode?.close()]);
    await redis?.kill();
    await database?.drop();
  });

  it('fails rate limits closed (503) or open per node; authentication never fails open', async () => {
    await redis.kill();
    expectUnavailable(await closed.verify(keys.limited));
    expect((await open.verify(keys.limited)).body).toMatchObject({ valid: true });
    for (const node of [closed, open]) {
      expect((await node.verify(keys.plain)).body).toMatchObject({ valid: true });
      expect((await node.verify(generateKey(prefix))).body).toMatchObject({
        valid: false,
        code: 'NOT_FOUND',
      });
      expect((await node.verify('garbage-that-is-no-key')).body).toMatchObject({ valid: false });
      // Quotas live in Redis: without it they are refused on every node, never spent blind.
      expectUnavailable(await node.verify(keys.quota));
    }
  });

  it('/readyz names Redis as the dependency that is down', async () => {
    for (const node of [closed, open]) {
      const ready = await node.request('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toEqual({ database: 'up', redis: 'down' });
    }
  });

  it('acknowledges a revoke during the outage; the other node learns it when Redis returns', async () => {
    expect((await closed.request('POST', `/v1/keys/${victimId}/revoke`)).status).toBe(200);
    expect((await closed.verify(keys.victim)).body).toMatchObject({ code: 'REVOKED' });
    // No bus: the other node still holds its cached entry (the window docs/deploy.md states).
    expect((await open.verify(keys.victim)).body).toMatchObject({ valid: true });
    await redis.restart();
    await eventually(
      'the revoke reaches the other node after the reconnect',
      async () => (await open.verify(keys.victim)).body.code === 'REVOKED',
    );
  });

  it('recovers by itself: limits, quotas and readiness', async () => {
    await eventually(
      'the closed node admits again',
      async () => (await closed.verify(keys.limited)).status === 200,
    );
    expect((await closed.verify(keys.limited)).body).toMatchObject({ valid: true });
    for (const node of [closed, open]) {
      await eventually('quotas spend again', async () => (await node.verify(keys.quota)).status === 200);
      expect((await node.verify(keys.quota)).body).toMatchObject({ valid: true });
      await eventually('ready again', async () => (await node.request('GET', '/readyz')).status === 200);
    }
  });
});
