import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';
import { clientFor, type TestClient } from '../../src/testing/test-client.js';

/** Issue 10, defect 9: revoking an already revoked key wrote a second `key.revoke` audit event. */
let t: TestApp;
let api: TestClient;

beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
});
afterEach(async () => {
  await t.close();
});

const events = async (action: string, targetId: string) =>
  (await api.get(`/v1/audit-events?targetId=${targetId}&limit=100`))
    .json()
    .items.filter((e: { action: string }) => e.action === action);

describe('revoking twice', () => {
  it('a key: the second revoke answers the same view and records nothing', async () => {
    const apiId = (await api.post('/v1/apis', { name: 'r', prefix: 'rev' })).json().id;
    const keyId = (await api.post('/v1/keys', { apiId })).json().id;
    const first = await api.post(`/v1/keys/${keyId}/revoke`);
    t.clock.advance(1000);
    const before = t.dump();
    const second = await api.post(`/v1/keys/${keyId}/revoke`);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(t.dump()).toEqual(before);
    expect(await events('key.revoke', keyId)).toHaveLength(1);
  });

  it('a root key: likewise', async () => {
    const rk = (await api.post('/v1/root-keys', { permissions: ['keys:read'] })).json();
    const first = await api.post(`/v1/root-keys/${rk.id}/revoke`);
    t.clock.advance(1000);
    const before = t.dump();
    const second = await api.post(`/v1/root-keys/${rk.id}/revoke`);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(t.dump()).toEqual(before);
    expect(await events('root_key.revoke', rk.id)).toHaveLength(1);
  });
});
