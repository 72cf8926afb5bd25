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

const code = async (key: string) => (await api.post('/v1/keys/verify', { key })).json().code;

describe('key lifecycle', () => {
  it('revokes: the key answers REVOKED at once, revoking again keeps the first time', async () => {
    const { id, key } = (await api.post('/v1/keys', { apiId })).json();
    expect(await code(key)).toBe('VALID');
    const revoked = await api.post(`/v1/keys/${id}/revoke`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ status: 'revoked', revokedAt: t.clock.now() });
    expect(await code(key)).toBe('REVOKED');
    const first = revoked.json().revokedAt;
    t.clock.advance(5000);
    expect((await api.post(`/v1/keys/${id}/revoke`)).json().revokedAt).toBe(first);
    expect((await api.post(`/v1/keys/${id}/roll`, {})).statusCode).toBe(409);
  });

  it('rolls with a grace period: both secrets verify until it ends, then the old one answers REVOKED', async () => {
    const { id, key: oldKey } = (await api.post('/v1/keys', { apiId })).json();
    const rolled = await api.post(`/v1/keys/${id}/roll`, { gracePeriodMs: 60_000 });
    expect(rolled.statusCode).toBe(200);
    expect(rolled.headers['cache-control']).toBe('no-store');
    const newKey = rolled.json().key;
    expect(newKey).toMatch(/^amp_live_/);
    expect(newKey).not.toBe(oldKey);
    expect(rolled.json().hint).toBe(`amp_live_${newKey.slice(9, 13)}…${newKey.slice(-4)}`);
    expect(await code(oldKey)).toBe('VALID');
    expect(await code(newKey)).toBe('VALID');
    t.clock.advance(59_999);
    expect(await code(oldKey)).toBe('VALID');
    t.clock.advance(1);
    expect(await code(oldKey)).toBe('REVOKED');
    expect(await code(newKey)).toBe('VALID');
    expect((await api.get(`/v1/keys/${id}`)).json()).not.toHaveProperty('key');
  });

  it('rolls without a body (grace 0): the old secret stops at once', async () => {
    const { id, key: oldKey } = (await api.post('/v1/keys', { apiId })).json();
    expect(await code(oldKey)).toBe('VALID');
    const rolled = await api.post(`/v1/keys/${id}/roll`);
    expect(rolled.statusCode).toBe(200);
    expect(await code(oldKey)).toBe('REVOKED');
    expect(await code(rolled.json().key)).toBe('VALID');
  });

  it('refuses a grace period beyond 30 days', async () => {
    const { id } = (await api.post('/v1/keys', { apiId })).json();
    const res = await api.post(`/v1/keys/${id}/roll`, { gracePeriodMs: 31 * 86_400_000 });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.gracePeriodMs');
  });

  it('deletes: every secret of the key stops verifying', async () => {
    const { id, key: oldKey } = (await api.post('/v1/keys', { apiId })).json();
    const { key: newKey } = (await api.post(`/v1/keys/${id}/roll`, { gracePeriodMs: 60_000 })).json();
    expect(await code(oldKey)).toBe('VALID');
    expect((await api.delete(`/v1/keys/${id}`)).statusCode).toBe(204);
    expect(await code(oldKey)).toBe('NOT_FOUND');
    expect(await code(newKey)).toBe('NOT_FOUND');
    expect((await api.delete(`/v1/keys/${id}`)).statusCode).toBe(404);
  });

  it('an expired key answers EXPIRED and shows status expired', async () => {
    const { id, key } = (await api.post('/v1/keys', { apiId, expiresAt: t.clock.now() + 1000 })).json();
    expect(await code(key)).toBe('VALID');
    t.clock.advance(1000);
    expect(await code(key)).toBe('EXPIRED');
    expect((await api.get(`/v1/keys/${id}`)).json().status).toBe('expired');
  });
});
