import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let api: TestClient;

beforeEach(async () => {
  t = await createTestApp();
  api = clientFor(t.app, t.a.rootKey);
});
afterEach(async () => {
  await t.close();
});

describe('/v1/root-keys', () => {
  it('creates (plaintext once), lists, reads, rolls and revokes a root key', async () => {
    const created = await api.post('/v1/root-keys', {
      name: 'ci',
      permissions: ['keys:write', 'keys:verify'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const rk = created.json();
    expect(rk.key).toMatch(/^kwroot_[0-9A-Za-z]{36}$/);
    expect(rk).toMatchObject({
      id: expect.stringMatching(/^rk_/),
      hint: `kwroot_${rk.key.slice(7, 11)}…${rk.key.slice(-4)}`,
      name: 'ci',
      permissions: ['keys:write', 'keys:verify'],
      revokedAt: null,
    });
    const { key: _secret, ...view } = rk;
    expect((await api.get(`/v1/root-keys/${rk.id}`)).json()).toEqual(view);
    const listed = (await api.get('/v1/root-keys')).json();
    expect(listed.items.map((r: { id: string }) => r.id)).toEqual([t.a.rootKeyId, rk.id]);
    expect(JSON.stringify(listed)).not.toContain(rk.key);
    expect(JSON.stringify(listed)).not.toMatch(/digest/);

    const rolled = (await api.post(`/v1/root-keys/${rk.id}/roll`)).json();
    expect(rolled.key).not.toBe(rk.key);
    const revoked = await api.post(`/v1/root-keys/${rk.id}/revoke`);
    expect(revoked.json()).toMatchObject({ id: rk.id, revokedAt: t.clock.now() });
    expect((await api.post(`/v1/root-keys/${rk.id}/roll`)).statusCode).toBe(409);
  });

  it('a root key cannot grant more than it holds', async () => {
    const limited = clientFor(t.app, await t.rootKey(['root_keys:write', 'keys:read']));
    expect((await limited.post('/v1/root-keys', { permissions: ['keys:read'] })).statusCode).toBe(201);
    const escalate = await limited.post('/v1/root-keys', { permissions: ['keys:read', 'keys:write'] });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().errors[0].field).toBe('body.permissions[1]');
    expect((await limited.post('/v1/root-keys', { permissions: ['*'] })).statusCode).toBe(403);
    const withWrite = clientFor(t.app, await t.rootKey(['root_keys:write', 'apis:write']));
    expect((await withWrite.post('/v1/root-keys', { permissions: ['apis:read'] })).statusCode).toBe(201);
  });

  it('refuses unknown permissions and an empty list', async () => {
    const unknown = await api.post('/v1/root-keys', { permissions: ['keys:read', 'keys:delete'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([
      { field: 'body.permissions[1]', message: expect.stringContaining('"keys:read"') },
    ]);
    expect((await api.post('/v1/root-keys', { permissions: [] })).json().errors[0].field).toBe(
      'body.permissions',
    );
  });
});
