import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let api: TestClient;
let apiId: string;

beforeEach(async () => {
  t = await createTestApp();
  api = clientFor(t.app, t.a.rootKey);
  apiId = (await api.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' })).json().id;
});
afterEach(async () => {
  await t.close();
});

describe('POST /v1/keys', () => {
  it('issues a key with every setting; the plaintext appears in this reply only', async () => {
    await api.post('/v1/roles', { name: 'reader', permissions: ['sessions:read'] });
    const res = await api.post('/v1/keys', {
      apiId,
      externalId: 'acme',
      name: 'ACME prod',
      meta: { tier: 'gold' },
      permissions: ['chargers:read', 'chargers:read'],
      roles: ['reader'],
      ratelimits: [{ name: 'rpm', limit: 60, duration: 60_000, algorithm: 'token_bucket' }],
      credits: { remaining: 10, refill: { interval: 'daily', amount: 10 } },
      allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
      expiresAt: t.clock.now() + 86_400_000,
      environment: 'test',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const key = res.json();
    expect(key.key).toMatch(/^amp_live_[0-9A-Za-z]{36}$/);
    expect(key).toMatchObject({
      id: expect.stringMatching(/^key_/),
      apiId,
      consumerId: expect.stringMatching(/^con_/),
      hint: `amp_live_${key.key.slice(9, 13)}…${key.key.slice(-4)}`,
      name: 'ACME prod',
      meta: { tier: 'gold' },
      permissions: ['chargers:read'],
      roles: ['reader'],
      ratelimits: [{ name: 'rpm', limit: 60, duration: 60_000, algorithm: 'token_bucket' }],
      credits: { remaining: 10, refill: { interval: 'daily', amount: 10 } },
      allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
      environment: 'test',
      enabled: true,
      status: 'active',
      revokedAt: null,
      imported: false,
    });
    const fetched = await api.get(`/v1/keys/${key.id}`);
    expect(fetched.json()).not.toHaveProperty('key');
    const { key: _plaintext, ...view } = key;
    expect(fetched.json()).toEqual(view);
    expect(JSON.stringify((await api.get('/v1/keys')).json())).not.toContain(key.key);
    // The consumer named by externalId was created.
    expect((await api.get('/v1/consumers?externalId=acme')).json().items[0].id).toBe(key.consumerId);
  });

  it('verifies a new key at once, even right after a NOT_FOUND for it was cached', async () => {
    const res = (await api.post('/v1/keys', { apiId })).json();
    expect((await api.post('/v1/keys/verify', { key: res.key })).json()).toMatchObject({
      valid: true,
      keyId: res.id,
    });
  });

  it('rejects unknown API, unknown consumer, unknown role, bad CIDR, past expiry and both owners', async () => {
    const cases: Array<[object, number, string]> = [
      [{ apiId: 'api_nope' }, 404, 'body.apiId'],
      [{ apiId, consumerId: 'con_nope' }, 404, 'body.consumerId'],
      [{ apiId, roles: ['ghost'] }, 400, 'body.roles[0]'],
      [{ apiId, allowedIps: ['10.0.0.0/8', '300.1.1.1'] }, 400, 'body.allowedIps[1]'],
      [{ apiId, expiresAt: t.clock.now() - 1 }, 400, 'body.expiresAt'],
      [{ apiId, consumerId: 'con_x', externalId: 'y' }, 400, 'body.externalId'],
      [{ apiId, permissions: ['bad perm'] }, 400, 'body.permissions[0]'],
      [{ apiId, permissions: ['sess*:read'] }, 400, 'body.permissions[0]'],
      [{ apiId, ratelimits: [{ name: 'r', limit: 0, duration: 1000 }] }, 400, 'body.ratelimits[0].limit'],
      [{ apiId, credits: { remaining: -1 } }, 400, 'body.credits.remaining'],
      [{ apiId, name: 'n'.repeat(201) }, 400, 'body.name'],
      [{ apiId, environment: 'staging' }, 400, 'body.environment'],
    ];
    for (const [body, status, field] of cases) {
      const res = await api.post('/v1/keys', body);
      expect({ body, status: res.statusCode }).toEqual({ body, status });
      expect(res.json().errors?.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await api.get('/v1/keys')).json().items).toEqual([]);
    expect((await api.get('/v1/consumers')).json().items).toEqual([]);
  });
});

describe('GET/PATCH /v1/keys', () => {
  it('lists by API and consumer and pages', async () => {
    const other = (await api.post('/v1/apis', { name: 'Other', prefix: 'oth' })).json().id;
    const a1 = (await api.post('/v1/keys', { apiId, externalId: 'acme' })).json();
    const a2 = (await api.post('/v1/keys', { apiId })).json();
    const b1 = (await api.post('/v1/keys', { apiId: other, externalId: 'acme' })).json();
    const ids = (url: string) => api.get(url).then((r) => r.json().items.map((k: { id: string }) => k.id));
    expect(await ids(`/v1/keys?apiId=${apiId}`)).toEqual([a1.id, a2.id]);
    expect(await ids(`/v1/keys?consumerId=${a1.consumerId}`)).toEqual([a1.id, b1.id]);
    expect(await ids('/v1/keys?externalId=acme')).toEqual([a1.id, b1.id]);
    expect(await ids('/v1/keys?externalId=nobody')).toEqual([]);
    const page = (await api.get('/v1/keys?limit=2')).json();
    expect(page.items).toHaveLength(2);
    expect(await ids(`/v1/keys?limit=2&cursor=${page.nextCursor}`)).toEqual([b1.id]);
  });

  it('updates settings, disables with a reason and moves the key to another consumer', async () => {
    const created = (
      await api.post('/v1/keys', { apiId, externalId: 'acme', credits: { remaining: 5 } })
    ).json();
    const res = await api.patch(`/v1/keys/${created.id}`, {
      name: 'renamed',
      enabled: false,
      disabledReason: 'abuse',
      externalId: 'globex',
      credits: null,
      permissions: ['a:b'],
    });
    expect(res.statusCode).toBe(200);
    const key = res.json();
    expect(key).toMatchObject({
      name: 'renamed',
      enabled: false,
      disabledReason: 'abuse',
      status: 'disabled',
      credits: null,
    });
    expect(key.consumerId).not.toBe(created.consumerId);
    expect((await api.post('/v1/keys/verify', { key: created.key })).json().code).toBe('DISABLED');
    const enabled = (await api.patch(`/v1/keys/${created.id}`, { enabled: true, consumerId: null })).json();
    expect(enabled).toMatchObject({
      enabled: true,
      disabledReason: null,
      consumerId: null,
      status: 'active',
    });
    expect((await api.post('/v1/keys/verify', { key: created.key })).json()).toMatchObject({
      valid: true,
      permissions: ['a:b'],
      consumer: null,
    });
  });

  it('attaches and detaches roles, and verification sees the roles permissions', async () => {
    await api.post('/v1/roles', { name: 'reader', permissions: ['sessions:read'] });
    await api.post('/v1/roles', { name: 'writer', permissions: ['sessions:write'] });
    const { id, key } = (await api.post('/v1/keys', { apiId })).json();
    const attached = await api.post(`/v1/keys/${id}/roles`, { roles: ['reader', 'writer', 'reader'] });
    expect(attached.statusCode).toBe(200);
    expect(attached.json().roles).toEqual(['reader', 'writer']);
    const both = (
      await api.post('/v1/keys/verify', { key, permissions: 'sessions:read AND sessions:write' })
    ).json();
    expect(both).toMatchObject({ valid: true, roles: ['reader', 'writer'] });
    const detached = await api.delete(`/v1/keys/${id}/roles/writer`);
    expect(detached.json().roles).toEqual(['reader']);
    expect((await api.post('/v1/keys/verify', { key, permissions: 'sessions:write' })).json().code).toBe(
      'INSUFFICIENT_PERMISSIONS',
    );
    expect((await api.delete(`/v1/keys/${id}/roles/writer`)).statusCode).toBe(404);
    expect((await api.post(`/v1/keys/${id}/roles`, { roles: ['ghost'] })).json().errors[0].field).toBe(
      'body.roles[0]',
    );
  });
});
