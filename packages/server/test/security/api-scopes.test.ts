import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';
import { clientFor, type TestClient } from '../../src/testing/test-client.js';

/**
 * Per-API root-key permissions (`api.<apiId>.keys:write`, issue 10 item 2): a provider's
 * billing service manages the keys of one API and touches nothing else.
 */
let t: TestApp;
let admin: TestClient;
let x: { apiId: string; keyId: string; key: string };
let y: { apiId: string; keyId: string; key: string };

const setUp = async (prefix: string) => {
  const apiId = (await admin.post('/v1/apis', { name: prefix, prefix })).json().id;
  const created = (await admin.post('/v1/keys', { apiId })).json();
  return { apiId, keyId: created.id, key: created.key };
};

beforeAll(async () => {
  t = await createTestApp({ storage: 'file' });
  admin = clientFor(t.app, t.a.rootKey);
  x = await setUp('xapi');
  y = await setUp('yapi');
});
afterAll(async () => {
  await t.close();
});

describe('a root key scoped to one API', () => {
  let billing: TestClient;
  beforeAll(async () => {
    const created = await admin.post('/v1/root-keys', {
      name: 'billing',
      permissions: [`api.${x.apiId}.keys:write`, `api.${x.apiId}.keys:verify`],
    });
    expect(created.statusCode).toBe(201);
    billing = clientFor(t.app, created.json().key);
  });

  it('manages the keys of its API', async () => {
    const created = await billing.post('/v1/keys', { apiId: x.apiId, name: 'from billing' });
    expect(created.statusCode).toBe(201);
    expect((await billing.get(`/v1/keys/${x.keyId}`)).statusCode).toBe(200);
    expect((await billing.patch(`/v1/keys/${x.keyId}`, { name: 'renamed' })).statusCode).toBe(200);
    const listed = (await billing.get(`/v1/keys?apiId=${x.apiId}`)).json();
    expect(listed.items.every((k: { apiId: string }) => k.apiId === x.apiId)).toBe(true);
    const verified = (await billing.post('/v1/keys/verify', { key: x.key, apiId: x.apiId })).json();
    expect(verified).toMatchObject({ valid: true, keyId: x.keyId });
    expect((await billing.post(`/v1/keys/${created.json().id}/revoke`)).statusCode).toBe(200);
  });

  it('sees and touches no key of another API, and changes nothing', async () => {
    const before = t.dump();
    for (const res of [
      await billing.get(`/v1/keys/${y.keyId}`),
      await billing.patch(`/v1/keys/${y.keyId}`, { name: 'x' }),
      await billing.post(`/v1/keys/${y.keyId}/revoke`),
      await billing.post(`/v1/keys/${y.keyId}/roll`, { gracePeriodMs: 0 }),
      await billing.delete(`/v1/keys/${y.keyId}`),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const forbidden = [
      [await billing.post('/v1/keys', { apiId: y.apiId }), 'body.apiId'],
      [
        await billing.post('/v1/keys/import', { apiId: y.apiId, keys: [{ sha256: 'ab'.repeat(32) }] }),
        'body.apiId',
      ],
      [await billing.get(`/v1/keys?apiId=${y.apiId}`), 'querystring.apiId'],
      [await billing.get('/v1/keys'), 'querystring.apiId'],
      [await billing.post('/v1/keys/verify', { key: y.key, apiId: y.apiId }), 'body.apiId'],
      [await billing.post('/v1/keys/verify', { key: y.key }), 'body.apiId'],
    ] as const;
    for (const [res, field] of forbidden) {
      expect(res.statusCode).toBe(403);
      expect(res.json().errors[0].field).toBe(field);
    }
    for (const url of ['/v1/apis', '/v1/consumers', '/v1/roles', '/v1/audit', '/v1/root-keys'])
      expect((await billing.get(url)).statusCode).toBe(403);
    expect(t.dump()).toEqual(before);
  });

  it('read-only scope reads but does not write', async () => {
    const reader = clientFor(t.app, await t.rootKey([`api.${x.apiId}.keys:read`]));
    expect((await reader.get(`/v1/keys/${x.keyId}`)).statusCode).toBe(200);
    expect((await reader.patch(`/v1/keys/${x.keyId}`, { name: 'no' })).statusCode).toBe(403);
    expect((await reader.post('/v1/keys', { apiId: x.apiId })).statusCode).toBe(403);
    expect((await reader.post('/v1/keys/verify', { key: x.key, apiId: x.apiId })).statusCode).toBe(403);
  });
});

describe('granting per-API permissions', () => {
  it('names an API of the workspace', async () => {
    const foreignApi = (
      await clientFor(t.app, t.b.rootKey).post('/v1/apis', { name: 'b', prefix: 'bapi' })
    ).json().id;
    const res = await admin.post('/v1/root-keys', {
      permissions: ['keys:read', `api.${foreignApi}.keys:read`],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.permissions[1]');
    const malformed = await admin.post('/v1/root-keys', { permissions: [`api.${x.apiId}.apis:write`] });
    expect(malformed.statusCode).toBe(400);
  });

  it('a scoped key grants its scope or less, never workspace-wide permissions', async () => {
    const scoped = clientFor(t.app, await t.rootKey(['root_keys:write', `api.${x.apiId}.keys:write`]));
    expect(
      (await scoped.post('/v1/root-keys', { permissions: [`api.${x.apiId}.keys:read`] })).statusCode,
    ).toBe(201);
    for (const permissions of [['keys:read'], [`api.${y.apiId}.keys:read`], [`api.${x.apiId}.keys:verify`]]) {
      const res = await scoped.post('/v1/root-keys', { permissions });
      expect({ permissions, status: res.statusCode }).toEqual({ permissions, status: 403 });
    }
    // A workspace-wide key covers every API's scope.
    const wide = clientFor(t.app, await t.rootKey(['root_keys:write', 'keys:write']));
    expect(
      (await wide.post('/v1/root-keys', { permissions: [`api.${y.apiId}.keys:write`] })).statusCode,
    ).toBe(201);
  });
});
