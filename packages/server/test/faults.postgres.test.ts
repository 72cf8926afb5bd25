import { generateKey } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/start.js';
import { eventually, type KeywardHttp, keywardHttp, sleep } from '../src/testing/keyward-http.js';
import {
  type PrivatePostgres,
  privatePostgresAvailable,
  startPrivatePostgres,
} from '../src/testing/private-postgres.js';
import { seedWorkspace } from '../src/testing/seed.js';

/**
 * PostgreSQL goes away under a running node (its own server, stopped and frozen mid-test;
 * the shared one on 5432 is never touched). Cached keys keep verifying for at most
 * KEYWARD_STALE_MS past their TTL, uncached keys and admin writes answer 503 problem+json
 * with Retry-After, /readyz names the database, and everything comes back by itself.
 */
const TTL_MS = 100;
const STALE_MS = 3_000;
/** Generous bound for "answered at all": a stalled request would wait for the 30 s test timeout. */
const ANSWERED_WITHIN_MS = 10_000;

const enabled = privatePostgresAvailable();

describe.skipIf(!enabled)('a keyward node while PostgreSQL is down', () => {
  let pg: PrivatePostgres;
  let server: RunningServer;
  let http: KeywardHttp;
  let apiId = '';
  let prefix = '';
  const keys: Record<'cached' | 'uncached' | 'revoked' | 'untouched', { id: string; key: string }> = {
    cached: { id: '', key: '' },
    uncached: { id: '', key: '' },
    revoked: { id: '', key: '' },
    untouched: { id: '', key: '' },
  };
  let cachedAt = 0;

  const createKey = async () => {
    const reply = await http.request('POST', '/v1/keys', { apiId });
    expect(reply.status).toBe(201);
    return { id: reply.body.id as string, key: reply.body.key as string };
  };
  const verify = (key: string) => http.verify(key).then((reply) => reply);
  const expectUnavailable = (reply: { status: number; headers: Headers; body: { code?: string } }) => {
    expect(reply.status).toBe(503);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(reply.body.code).toBe('UNAVAILABLE');
  };

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const config = loadConfig({
      KEYWARD_DATABASE_URL: pg.url,
      KEYWARD_PORT: '0',
      KEYWARD_LOG_LEVEL: 'silent',
      KEYWARD_CACHE_TTL_MS: String(TTL_MS),
      KEYWARD_STALE_MS: String(STALE_MS),
      KEYWARD_STORE_TIMEOUT_MS: '300',
    });
    const { rootKey } = await seedWorkspace(config);
    server = await startServer(config);
    http = keywardHttp(server.url, rootKey);
    ({ id: apiId, prefix } = await http.createApi());
    for (const name of Object.keys(keys) as (keyof typeof keys)[]) keys[name] = await createKey();
    expect((await http.request('POST', `/v1/keys/${keys.revoked.id}/revoke`)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await pg?.thaw().catch(() => {});
    await pg?.start().catch(() => {});
    await server?.close();
    await pg?.destroy();
  });

  it('keeps verifying a cached key, refuses uncached and unknown keys with 503', async () => {
    expect((await verify(keys.cached.key)).body).toMatchObject({ valid: true });
    cachedAt = Date.now();
    await pg.stop('immediate');
    await sleep(TTL_MS + 50);

    expect((await verify(keys.cached.key)).body).toMatchObject({ valid: true, keyId: keys.cached.id });
    expectUnavailable(await verify(keys.uncached.key));
    // A key nobody issued is refused too: without the store nobody can tell it apart.
    expectUnavailable(await verify(generateKey(prefix)));
  });

  it('answers admin writes 503 problem+json, and /readyz names the database', async () => {
    expectUnavailable(await http.request('POST', '/v1/keys', { apiId }));
    expectUnavailable(await http.request('POST', `/v1/keys/${keys.untouched.id}/revoke`));
    const ready = await http.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ database: 'down' });
    expect(ready.body.detail).toMatch(/database/);
  });

  it('stops serving the cached key once it is KEYWARD_STALE_MS past its TTL', async () => {
    await sleep(Math.max(0, cachedAt + TTL_MS + STALE_MS + 100 - Date.now()));
    const reply = await verify(keys.cached.key);
    expectUnavailable(reply);
    expect(reply.body.detail).toMatch(/key store unavailable/);
  });

  it('recovers by itself; every acknowledged write is there, no refused one happened', async () => {
    await pg.start();
    await eventually('the node verifies again', async () => (await verify(keys.uncached.key)).status === 200);
    expect((await verify(keys.uncached.key)).body).toMatchObject({ valid: true });
    expect((await verify(keys.cached.key)).body).toMatchObject({ valid: true });
    expect((await verify(keys.revoked.key)).body).toMatchObject({ valid: false, code: 'REVOKED' });
    // The revoke answered 503 during the outage did not happen.
    expect((await verify(keys.untouched.key)).body).toMatchObject({ valid: true });
    for (const { id } of Object.values(keys))
      expect((await http.request('GET', `/v1/keys/${id}`)).status).toBe(200);
    expect((await http.request('POST', '/v1/keys', { apiId })).status).toBe(201);
    await eventually('/readyz is ready', async () => (await http.request('GET', '/readyz')).status === 200);
  });

  it('a frozen PostgreSQL does not stall verification (deadline + circuit breaker)', async () => {
    const fresh = await createKey();
    expect((await verify(keys.cached.key)).body).toMatchObject({ valid: true });
    await pg.freeze();
    try {
      await sleep(TTL_MS + 50);
      const answered = (key: string) =>
        Promise.race([
          verify(key),
          sleep(ANSWERED_WITHIN_MS).then(() => {
            throw new Error('verification stalled behind a frozen PostgreSQL');
          }),
        ]);
      expect((await answered(keys.cached.key)).body).toMatchObject({ valid: true });
      expectUnavailable(await answered(fresh.key));
      // Past the breaker's threshold the store is not even asked.
      for (let i = 0; i < 6; i++) await answered(generateKey(prefix));
      expectUnavailable(await answered(fresh.key));
      expect((await http.request('GET', '/readyz')).body.checks).toEqual({ database: 'down' });
    } finally {
      await pg.thaw();
    }
    await eventually(
      'the frozen key verifies after the thaw',
      async () => (await verify(fresh.key)).status === 200,
    );
    expect((await verify(fresh.key)).body).toMatchObject({ valid: true });
  });
});
