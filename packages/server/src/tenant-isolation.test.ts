import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalog,
  createFixtures,
  type Fixtures,
  portalCatalog,
  targetsResource,
} from './testing/route-catalog.js';
import { createTestApp, type TestApp } from './testing/test-app.js';
import { call, clientFor, type TestClient } from './testing/test-client.js';

/**
 * Workspace B's root key holds `*`, yet it must see and touch nothing of workspace A: every
 * route answers 404 (or NOT_FOUND / an empty list), and A's data is byte-for-byte unchanged.
 */
let t: TestApp;
let a: Fixtures;
let asB: TestClient;
let asA: TestClient;

beforeAll(async () => {
  t = await createTestApp({ storage: 'file' });
  asA = clientFor(t.app, t.a.rootKey);
  asB = clientFor(t.app, t.b.rootKey);
  a = await createFixtures(asA, 'a');
  await createFixtures(asB, 'b');
  await asA.patch(`/v1/keys/${a.keyId}`, { credits: { remaining: 3 } });
});
afterAll(async () => {
  await t.close();
});

describe('tenant isolation', () => {
  it('every route that names a resource of A answers 404 to B, and changes nothing', async () => {
    const before = t.dump();
    for (const route of [...catalog(a), ...portalCatalog(a)].filter(targetsResource)) {
      const res = await call(t.app, t.b.rootKey, route.method, route.url, route.body);
      expect({ route: `${route.method} ${route.pattern}`, status: res.statusCode }).toEqual({
        route: `${route.method} ${route.pattern}`,
        status: 404,
      });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(t.dump()).toEqual(before);
  });

  it("B's lists show nothing of A", async () => {
    for (const url of [
      '/v1/apis',
      '/v1/consumers',
      '/v1/keys',
      '/v1/roles',
      '/v1/root-keys',
      '/v1/audit-events',
    ]) {
      const text = (await asB.get(`${url}?limit=100`)).body;
      for (const id of [a.apiId, a.consumerId, a.keyId, a.roleId, a.rootKeyId, t.a.rootKeyId]) {
        expect({ url, leaked: text.includes(id) }).toEqual({ url, leaked: false });
      }
    }
    const filtered = [
      `/v1/keys?apiId=${a.apiId}`,
      `/v1/keys?consumerId=${a.consumerId}`,
      '/v1/keys?externalId=ext-a',
      '/v1/consumers?externalId=ext-a',
      `/v1/audit-events?targetId=${a.keyId}`,
    ];
    for (const url of filtered)
      expect({ url, items: (await asB.get(url)).json().items }).toEqual({ url, items: [] });
  });

  it("B cannot verify A's keys: NOT_FOUND, and A's quota is not spent", async () => {
    const before = t.dump();
    expect((await asB.post('/v1/keys/verify', { key: a.key })).json()).toMatchObject({
      valid: false,
      code: 'NOT_FOUND',
      keyId: null,
    });
    expect((await asB.post('/v1/keys/verify', { key: a.key, apiId: a.apiId })).json().code).toBe('NOT_FOUND');
    expect(t.dump()).toEqual(before);
    expect((await asA.post('/v1/keys/verify', { key: a.key })).json()).toMatchObject({
      valid: true,
      credits: { remaining: 2 },
    });
  });

  it("B cannot attach A's API, consumer or role to its own keys", async () => {
    const before = t.dump();
    const bApi = (await asB.get('/v1/apis')).json().items[0].id;
    expect((await asB.post('/v1/keys', { apiId: a.apiId })).statusCode).toBe(404);
    expect((await asB.post('/v1/keys', { apiId: bApi, consumerId: a.consumerId })).statusCode).toBe(404);
    expect((await asB.post('/v1/keys', { apiId: bApi, roles: [a.roleName] })).statusCode).toBe(400);
    expect(
      (await asB.post('/v1/keys/import', { apiId: a.apiId, keys: [{ sha256: 'cd'.repeat(32) }] })).statusCode,
    ).toBe(404);
    expect(t.dump()).toEqual(before);
  });
});
