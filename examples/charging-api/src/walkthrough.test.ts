import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, newId, type Store } from '@keyward/core';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { localVerifier } from '@keyward/sdk/local';
import { buildApp, issueRootKey } from '@keyward/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChargingApi } from './app.js';

/**
 * The README walkthrough, step by step, through `inject`: keyward (admin API) and the
 * charging API on one SQLite file, each with its own engine as in two processes.
 */
describe('README walkthrough', () => {
  let dir: string;
  let store: Store;
  let keywardEngine: Engine;
  let chargingEngine: Engine;
  let keyward: FastifyInstance;
  let charging: FastifyInstance;
  let rootKey: string;
  const state: { apiId: string; driverKey: string; viewerKey: string; viewerId: string; sessionId: string } =
    {
      apiId: '',
      driverKey: '',
      viewerKey: '',
      viewerId: '',
      sessionId: '',
    };

  /** `kw` of the README: keyward's admin API with the root key. */
  const kw = async (method: 'POST' | 'GET', url: string, body?: unknown) => {
    const res = await keyward.inject({
      method,
      url,
      headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    expect(res.statusCode).toBeLessThan(300);
    return res.json();
  };

  const call = (method: 'GET' | 'POST', url: string, key?: string, body?: unknown) =>
    charging.inject({
      method,
      url,
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'charging-walkthrough-'));
    const database = openSqliteDatabase(join(dir, 'keyward.db'));
    const sql = createSqliteHandle({ database });
    await migrateSqlite(sql);
    store = createStore(sql);
    keywardEngine = createEngine({ store });
    keyward = await buildApp({ store, engine: keywardEngine });
    chargingEngine = createEngine({ store, cacheTtlMs: 2_000 });
  });
  afterAll(async () => {
    await charging?.close();
    await keyward?.close();
    await chargingEngine?.close();
    await keywardEngine?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('1. keyward init: a workspace and its root key', async () => {
    const workspaceId = newId('ws');
    await store.workspaces.create({ id: workspaceId, name: 'Charging Co', createdAt: Date.now() });
    rootKey = (await issueRootKey({ store, engine: keywardEngine }, { workspaceId, permissions: ['*'] }))
      .plaintext;
    // The root key opens the admin API of that workspace (and shows it nothing yet).
    expect(await kw('GET', '/v1/apis')).toEqual({ items: [], nextCursor: null });
  });

  it('3. the API, the driver role and two keys', async () => {
    const api = await kw('POST', '/v1/apis', { name: 'Charging API', prefix: 'amp_live' });
    expect(api).toMatchObject({ name: 'Charging API', prefix: 'amp_live' });
    state.apiId = api.id;
    const role = await kw('POST', '/v1/roles', {
      name: 'driver',
      permissions: ['stations:read', 'sessions:read', 'sessions:write'],
    });
    expect(role).toMatchObject({
      name: 'driver',
      permissions: ['stations:read', 'sessions:read', 'sessions:write'],
    });
    const driver = await kw('POST', '/v1/keys', {
      apiId: state.apiId,
      externalId: 'fleet-42',
      name: 'fleet app',
      roles: ['driver'],
      ratelimits: [
        { name: 'reads', limit: 10, duration: 60000 },
        { name: 'writes', limit: 3, duration: 60000 },
      ],
    });
    // The key is shown once, in the API's published format; the unknown external id became a consumer.
    expect(driver.key).toMatch(new RegExp(api.keyPattern));
    expect(driver).toMatchObject({ apiId: state.apiId, name: 'fleet app', roles: ['driver'] });
    expect(driver.consumerId).toMatch(/^con_/);
    expect(await kw('GET', `/v1/consumers/${driver.consumerId}`)).toMatchObject({ externalId: 'fleet-42' });
    state.driverKey = driver.key;
    const viewer = await kw('POST', '/v1/keys', {
      apiId: state.apiId,
      externalId: 'map-widget',
      permissions: ['stations:read'],
    });
    expect(viewer.key).toMatch(new RegExp(api.keyPattern));
    expect(viewer).toMatchObject({ permissions: ['stations:read'], roles: [] });
    state.viewerKey = viewer.key;
    state.viewerId = viewer.id;
    const keys = await kw('GET', `/v1/keys?apiId=${state.apiId}`);
    expect(keys.items.map((k: { id: string }) => k.id).sort()).toEqual([driver.id, viewer.id].sort());
  });

  it('4. the charging API starts on the same database', async () => {
    charging = await buildChargingApi({ verifier: localVerifier(chargingEngine), apiId: state.apiId });
    expect((await charging.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('5a. no key: 401 with a bare challenge', async () => {
    const res = await call('GET', '/stations');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="charging-api"');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('5b. the driver key: 200 with the reads limit in the RateLimit headers', async () => {
    const res = await call('GET', '/stations', state.driverKey);
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-policy']).toBe('"reads";q=10;w=60');
    expect(res.headers.ratelimit).toMatch(/^"reads";r=9;t=\d+$/);
    expect(res.json().items).toHaveLength(3);
  });

  it('5c. the viewer key may not start a session: 403 insufficient_scope', async () => {
    const res = await call('POST', '/sessions', state.viewerKey, {
      stationId: 'st_berlin_1',
      connectorId: 'c1',
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="charging-api", error="insufficient_scope", scope="sessions:write"',
    );
  });

  it('5d. the driver starts, stops and lists its sessions', async () => {
    const started = await call('POST', '/sessions', state.driverKey, {
      stationId: 'st_berlin_1',
      connectorId: 'c1',
    });
    expect(started.statusCode).toBe(201);
    state.sessionId = started.json().id;
    const stopped = await call('POST', `/sessions/${state.sessionId}/stop`, state.driverKey);
    expect(stopped.json()).toMatchObject({ status: 'stopped', owner: 'fleet-42' });
    const list = await call('GET', '/sessions', state.driverKey);
    expect(list.json().items.map((s: { id: string }) => s.id)).toEqual([state.sessionId]);
    // The viewer holds no sessions:read at all.
    expect((await call('GET', `/sessions/${state.sessionId}`, state.viewerKey)).statusCode).toBe(403);
  });

  it('5e. the fourth write within the minute: 429 with Retry-After and the limit state', async () => {
    const body = { stationId: 'st_lyon_1', connectorId: 'c2' };
    expect((await call('POST', '/sessions', state.driverKey, body)).statusCode).toBe(201);
    const limited = await call('POST', '/sessions', state.driverKey, body);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers.ratelimit).toMatch(/^"writes";r=0;t=\d+$/);
  });

  it('5f. an unknown key: 401 invalid_token; a key in the URL: 400 invalid_request', async () => {
    const unknown = await call('GET', '/stations', 'amp_live_not-a-real-key');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers['www-authenticate']).toBe('Bearer realm="charging-api", error="invalid_token"');
    const inUrl = await call('GET', `/stations?access_token=${state.driverKey}`);
    expect(inUrl.statusCode).toBe(400);
    expect(inUrl.headers['www-authenticate']).toBe('Bearer realm="charging-api", error="invalid_request"');
  });

  it('5g. a revoked key answers 401 once the charging API cache entry ends', async () => {
    await kw('POST', `/v1/keys/${state.viewerId}/revoke`);
    // The two processes share no cache bus: the charging API learns of it within its 2 s cache lifetime.
    await chargingEngine.invalidate({ type: 'all' });
    const res = await call('GET', '/stations', state.viewerKey);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="charging-api", error="invalid_token"');
  });
});
