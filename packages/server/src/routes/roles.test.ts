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

describe('/v1/roles', () => {
  it('creates, reads, lists, updates and deletes a role', async () => {
    const created = await api.post('/v1/roles', {
      name: 'operator',
      description: 'runs chargers',
      permissions: ['chargers:*', 'sessions:read'],
    });
    expect(created.statusCode).toBe(201);
    const role = created.json();
    expect(role).toEqual({
      id: expect.stringMatching(/^role_/),
      name: 'operator',
      description: 'runs chargers',
      permissions: ['chargers:*', 'sessions:read'],
      createdAt: t.clock.now(),
      updatedAt: t.clock.now(),
    });
    expect((await api.get(`/v1/roles/${role.id}`)).json()).toEqual(role);
    expect((await api.get('/v1/roles')).json()).toEqual({ items: [role], nextCursor: null });
    const updated = await api.patch(`/v1/roles/${role.id}`, { description: null, permissions: ['admin'] });
    expect(updated.json()).toMatchObject({ name: 'operator', description: null, permissions: ['admin'] });
    expect((await api.patch(`/v1/roles/${role.id}`, { name: 'renamed' })).json().errors[0].field).toBe(
      'body.name',
    );
    expect((await api.delete(`/v1/roles/${role.id}`)).statusCode).toBe(204);
    expect((await api.get(`/v1/roles/${role.id}`)).statusCode).toBe(404);
  });

  it('a role change reaches verification at once', async () => {
    const role = (await api.post('/v1/roles', { name: 'reader', permissions: ['sessions:read'] })).json();
    const { key } = (await api.post('/v1/keys', { apiId, roles: ['reader'] })).json();
    const check = async () =>
      (await api.post('/v1/keys/verify', { key, permissions: 'sessions:write' })).json().code;
    expect(await check()).toBe('INSUFFICIENT_PERMISSIONS');
    await api.patch(`/v1/roles/${role.id}`, { permissions: ['sessions:*'] });
    expect(await check()).toBe('VALID');
  });

  it('deleting a role detaches it, so that a new role of the same name grants nothing to old keys', async () => {
    const role = (await api.post('/v1/roles', { name: 'admin', permissions: ['everything'] })).json();
    const { id, key } = (await api.post('/v1/keys', { apiId, roles: ['admin'] })).json();
    await api.delete(`/v1/roles/${role.id}`);
    expect((await api.get(`/v1/keys/${id}`)).json().roles).toEqual([]);
    await api.post('/v1/roles', { name: 'admin', permissions: ['everything'] });
    expect((await api.post('/v1/keys/verify', { key, permissions: 'everything' })).json().code).toBe(
      'INSUFFICIENT_PERMISSIONS',
    );
  });

  it('names are unique per workspace and well-formed', async () => {
    await api.post('/v1/roles', { name: 'dup', permissions: [] });
    const again = await api.post('/v1/roles', { name: 'dup', permissions: [] });
    expect(again.statusCode).toBe(409);
    expect(again.json().errors[0].field).toBe('body.name');
    expect(
      (await clientFor(t.app, t.b.rootKey).post('/v1/roles', { name: 'dup', permissions: [] })).statusCode,
    ).toBe(201);
    expect((await api.post('/v1/roles', { name: 'has space', permissions: [] })).json().errors[0].field).toBe(
      'body.name',
    );
    const perms = await api.post('/v1/roles', { name: 'x', permissions: ['ok', 'AND'] });
    expect(perms.json().errors[0].field).toBe('body.permissions[1]');
    const many = await api.post('/v1/roles', {
      name: 'y',
      permissions: Array.from({ length: 1001 }, (_, i) => `p${i}`),
    });
    expect(many.json().errors[0].field).toBe('body.permissions');
  });
});
