import { createEngine, generateKey, KeywardError, newId, type Store } from '@keyward/core';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { issueRootKey } from '../src/root-keys.js';
import { call } from '../src/testing/test-client.js';
import { createTestClock } from '../src/testing/test-clock.js';

/**
 * The verify API authenticates its caller's root key before the engine runs: while the
 * database fails, a root key looked up lately must keep authenticating (for at most
 * `staleWhileErrorMs` past the cache TTL), or no cached key could be verified at all.
 */
const ROOT_TTL = 1_000;
const STALE = 5_000;

let closeAll: () => Promise<void> = async () => {};
afterEach(() => closeAll());

async function setup() {
  const database = openSqliteDatabase(':memory:');
  const sql = createSqliteHandle({ database });
  await migrateSqlite(sql);
  const store = createStore(sql);
  const clock = createTestClock();
  const outage = { down: false };
  // What the database's adapter throws when the database cannot be reached (503).
  const refused = () =>
    new KeywardError('UNAVAILABLE', 'the PostgreSQL database is unavailable; retry later', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    });
  const failing: Store = {
    ...store,
    rootKeys: {
      ...store.rootKeys,
      findByDigest: (digest) =>
        outage.down ? Promise.reject(refused()) : store.rootKeys.findByDigest(digest),
    },
  };
  const engine = createEngine({ store, now: clock.now });
  const app: FastifyInstance = await buildApp({
    store: failing,
    engine,
    now: clock.now,
    docs: false,
    rootKeyCacheTtlMs: ROOT_TTL,
    staleWhileErrorMs: STALE,
  });
  closeAll = async () => {
    await app.close();
    await engine.close();
    await store.close();
  };
  const workspaceId = newId('ws');
  await store.workspaces.create({ id: workspaceId, name: 'A', createdAt: clock.now() });
  const { plaintext: rootKey } = await issueRootKey(
    { store, engine, now: clock.now },
    { workspaceId, permissions: ['*'] },
  );
  const api = await call(app, rootKey, 'POST', '/v1/apis', { name: 'Charging', prefix: 'amp' });
  const key = await call(app, rootKey, 'POST', '/v1/keys', { apiId: api.json().id });
  return { app, clock, outage, rootKey, key: key.json().key as string };
}

describe('root keys while the database fails', () => {
  it('keeps authenticating a root key seen lately, for at most staleWhileErrorMs past its TTL', async () => {
    const { app, clock, outage, rootKey, key } = await setup();
    const verify = () => call(app, rootKey, 'POST', '/v1/keys/verify', { key });
    expect((await verify()).json()).toMatchObject({ valid: true });
    outage.down = true;
    clock.advance(ROOT_TTL + 1);
    expect((await verify()).json()).toMatchObject({ valid: true });
    clock.advance(STALE);
    const refused = await verify();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    outage.down = false;
    expect((await verify()).json()).toMatchObject({ valid: true });
  });

  it('never authenticates a root key it has not seen: 503, not 200', async () => {
    const { app, outage, key } = await setup();
    outage.down = true;
    const stranger = generateKey('kwroot');
    const reply = await call(app, stranger, 'POST', '/v1/keys/verify', { key });
    expect(reply.statusCode).toBe(503);
    expect(reply.json()).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
