import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { call, clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let admin: TestClient;
let apiId: string;

beforeEach(async () => {
  t = await createTestApp();
  admin = clientFor(t.app, t.a.rootKey);
  apiId = (await admin.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' })).json().id;
});
afterEach(async () => {
  await t.close();
});

/** `POST /v1/keys/children` with `key` as Bearer. */
const mint = (key: string | null, body: unknown) => call(t.app, key, 'POST', '/v1/keys/children', body);
const verify = async (key: string, body: Record<string, unknown> = {}) =>
  (await admin.post('/v1/keys/verify', { key, ...body })).json();

async function parentKey(body: Record<string, unknown> = {}) {
  return (
    await admin.post('/v1/keys', { apiId, permissions: ['chargers:read', 'sessions:*'], ...body })
  ).json();
}

describe('POST /v1/keys/children', () => {
  it('mints a child with the parent key: 201, shown once, verifying with its parent named', async () => {
    const consumer = (await admin.post('/v1/consumers', { externalId: 'fleet-7' })).json();
    const parent = await parentKey({ consumerId: consumer.id });
    const res = await mint(parent.key, { permissions: ['sessions:read'], expiresIn: 600, name: 'ci' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const child = res.json();
    expect(child).toMatchObject({
      parentKeyId: parent.id,
      consumerId: consumer.id,
      apiId,
      name: 'ci',
      permissions: ['sessions:read'],
      expiresAt: t.clock.now() + 600_000,
      status: 'active',
    });
    expect(child.key).toMatch(/^amp_live_/);
    await expect(verify(child.key, { permissions: 'sessions:read' })).resolves.toMatchObject({
      code: 'VALID',
      keyId: child.id,
      parentKeyId: parent.id,
    });
    await expect(verify(parent.key)).resolves.toMatchObject({ code: 'VALID', parentKeyId: null });
    expect((await admin.get(`/v1/keys/${child.id}`)).json()).not.toHaveProperty('key');
    const listed = (await admin.get(`/v1/keys?parentKeyId=${parent.id}`)).json();
    expect(listed.items.map((k: { id: string }) => k.id)).toEqual([child.id]);
    const audit = (await admin.get(`/v1/audit-events?targetId=${child.id}`)).json();
    expect(audit.items).toMatchObject([{ action: 'key.create_child', actor: parent.id }]);
  });

  it('is refused with the problem naming the field when the child would have more than its parent', async () => {
    const parent = await parentKey({ expiresAt: t.clock.now() + 120_000 });
    const cases: Array<[unknown, string]> = [
      [{ permissions: ['chargers:*'], expiresIn: 60 }, 'body.permissions[0]'],
      [{ permissions: ['sessions:read', 'admin'], expiresIn: 60 }, 'body.permissions[1]'],
      [{ permissions: [], expiresIn: 3601 }, 'body.expiresIn'],
      [{ permissions: [], expiresIn: 121 }, 'body.expiresIn'],
      [{ permissions: [], expiresIn: 0 }, 'body.expiresIn'],
      [{ permissions: ['bad perm'], expiresIn: 60 }, 'body.permissions[0]'],
      [{ permissions: [], expiresIn: 60, allowedIps: ['nope'] }, 'body.allowedIps[0]'],
      [{ permissions: [], expiresIn: 60, credits: { remaining: 5 } }, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await mint(parent.key, body);
      expect({ status: res.statusCode, type: res.headers['content-type'] }).toEqual({
        status: 400,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(JSON.stringify(res.json())).toContain(field);
    }
    expect((await admin.get(`/v1/keys?parentKeyId=${parent.id}`)).json().items).toEqual([]);
  });

  it("shows its parent in usage: GET /v1/usage?parentKeyId= counts the children's verifications only", async () => {
    const parent = await parentKey();
    const other = await parentKey();
    const first = (await mint(parent.key, { permissions: ['sessions:read'], expiresIn: 600 })).json();
    const second = (await mint(parent.key, { permissions: [], expiresIn: 600 })).json();
    const stranger = (await mint(other.key, { permissions: [], expiresIn: 600 })).json();
    for (const key of [first.key, first.key, second.key, stranger.key, parent.key]) {
      await expect(verify(key)).resolves.toMatchObject({ code: 'VALID' });
    }
    await t.usage.flush();
    const now = t.clock.now();
    const range = `granularity=day&from=${now - 1}&to=${now + 1}`;
    const byKey = (await admin.get(`/v1/usage?${range}&groupBy=key&parentKeyId=${parent.id}`)).json();
    expect(
      byKey.series.map((point: { keyId: string; count: number }) => [point.keyId, point.count]).sort(),
    ).toEqual(
      [
        [first.id, 2],
        [second.id, 1],
      ].sort(),
    );
    const none = (await admin.get(`/v1/usage?${range}&parentKeyId=${first.id}`)).json();
    expect(none.series.length).toBeGreaterThan(0);
    expect(none.series.every((point: { count: number }) => point.count === 0)).toBe(true);
  });

  it('answers 401 for no key, an unknown, revoked or root key, and 403 for a key outside its IP list', async () => {
    const body = { permissions: [], expiresIn: 60 };
    expect((await mint(null, body)).statusCode).toBe(401);
    expect((await mint('amp_live_notakey', body)).statusCode).toBe(401);
    const unknown = await mint(t.a.rootKey, body);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers['www-authenticate']).toContain('invalid_token');
    const revoked = await parentKey();
    await admin.post(`/v1/keys/${revoked.id}/revoke`);
    expect((await mint(revoked.key, body)).statusCode).toBe(401);
    const fenced = await parentKey({ allowedIps: ['10.0.0.0/8'] });
    expect((await mint(fenced.key, body)).statusCode).toBe(403);
    // Authentication comes before the body: an unknown key learns nothing about validation.
    expect((await mint('amp_live_notakey', { nonsense: true })).statusCode).toBe(401);
  });

  it('counts minting against the parent rate limits', async () => {
    const parent = await parentKey({ ratelimits: [{ name: 'default', limit: 2, duration: 60_000 }] });
    expect((await mint(parent.key, { permissions: [], expiresIn: 60 })).statusCode).toBe(201);
    expect((await mint(parent.key, { permissions: [], expiresIn: 60 })).statusCode).toBe(201);
    const limited = await mint(parent.key, { permissions: [], expiresIn: 60 });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('follows the API policy: off, a shorter lifetime, one more level', async () => {
    const parent = await parentKey();
    expect((await admin.get(`/v1/apis/${apiId}/policies/child-keys`)).json()).toEqual({
      apiId,
      enabled: true,
      maxExpiresInSeconds: 3600,
      maxDepth: 1,
      custom: false,
    });
    const child = (await mint(parent.key, { permissions: ['sessions:*'], expiresIn: 600 })).json();
    const grandchild = await mint(child.key, { permissions: ['sessions:read'], expiresIn: 60 });
    expect(grandchild.statusCode).toBe(403);

    const put = await call(t.app, t.a.rootKey, 'PUT', `/v1/apis/${apiId}/policies/child-keys`, {
      enabled: true,
      maxExpiresInSeconds: 300,
      maxDepth: 2,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ maxDepth: 2, custom: true });
    const deeper = await mint(child.key, { permissions: ['sessions:read'], expiresIn: 60 });
    expect(deeper.statusCode).toBe(201);
    expect(deeper.json()).toMatchObject({ parentKeyId: child.id });
    await expect(verify(deeper.json().key)).resolves.toMatchObject({ code: 'VALID', parentKeyId: child.id });
    expect((await mint(parent.key, { permissions: [], expiresIn: 301 })).json()).toMatchObject({
      errors: [expect.objectContaining({ field: 'body.expiresIn' })],
    });

    await call(t.app, t.a.rootKey, 'PUT', `/v1/apis/${apiId}/policies/child-keys`, {
      enabled: false,
      maxExpiresInSeconds: 300,
      maxDepth: 2,
    });
    expect((await mint(parent.key, { permissions: [], expiresIn: 60 })).statusCode).toBe(403);
    const bad = await call(t.app, t.a.rootKey, 'PUT', `/v1/apis/${apiId}/policies/child-keys`, {
      enabled: true,
      maxExpiresInSeconds: 300,
      maxDepth: 0,
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('maxDepth');
  });

  for (const change of ['revoke', 'disable', 'roll', 'delete'] as const) {
    it(`kills the children (and grandchildren) when the parent key gets a ${change}`, async () => {
      await call(t.app, t.a.rootKey, 'PUT', `/v1/apis/${apiId}/policies/child-keys`, {
        enabled: true,
        maxExpiresInSeconds: 3600,
        maxDepth: 2,
      });
      const parent = await parentKey();
      const child = (await mint(parent.key, { permissions: ['sessions:*'], expiresIn: 600 })).json();
      const grandchild = (await mint(child.key, { permissions: [], expiresIn: 60 })).json();
      await expect(verify(grandchild.key)).resolves.toMatchObject({ code: 'VALID' });
      if (change === 'revoke') await admin.post(`/v1/keys/${parent.id}/revoke`);
      if (change === 'disable') await admin.patch(`/v1/keys/${parent.id}`, { enabled: false });
      if (change === 'roll') await admin.post(`/v1/keys/${parent.id}/roll`, { gracePeriodMs: 60_000 });
      if (change === 'delete') await admin.delete(`/v1/keys/${parent.id}`);
      await expect(verify(child.key)).resolves.toMatchObject({ code: 'REVOKED' });
      await expect(verify(grandchild.key)).resolves.toMatchObject({ code: 'REVOKED' });
      expect((await admin.get(`/v1/keys/${child.id}`)).json()).toMatchObject({ status: 'revoked' });
      if (change === 'disable') {
        await admin.patch(`/v1/keys/${parent.id}`, { enabled: true });
        await expect(verify(child.key)).resolves.toMatchObject({ code: 'REVOKED' });
      }
    });
  }

  it('keeps tenants apart: another workspace neither sees nor verifies a child, nor sets its policy', async () => {
    const parent = await parentKey();
    const child = (await mint(parent.key, { permissions: [], expiresIn: 60 })).json();
    const other = clientFor(t.app, t.b.rootKey);
    expect((await other.get(`/v1/keys/${child.id}`)).statusCode).toBe(404);
    expect((await other.get(`/v1/keys?parentKeyId=${parent.id}`)).json().items).toEqual([]);
    expect((await other.post('/v1/keys/verify', { key: child.key })).json().code).toBe('NOT_FOUND');
    expect((await other.get(`/v1/apis/${apiId}/policies/child-keys`)).statusCode).toBe(404);
    const put = await call(t.app, t.b.rootKey, 'PUT', `/v1/apis/${apiId}/policies/child-keys`, {
      enabled: false,
      maxExpiresInSeconds: 60,
      maxDepth: 1,
    });
    expect(put.statusCode).toBe(404);
    expect((await admin.get(`/v1/apis/${apiId}/policies/child-keys`)).json()).toMatchObject({
      enabled: true,
    });
  });
});
