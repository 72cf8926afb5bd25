import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

const T = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;

let t: TestApp;
let api: TestClient;
let apiId: string;

beforeEach(async () => {
  t = await createTestApp();
  t.clock.set(T);
  api = clientFor(t.app, t.a.rootKey);
  apiId = (await api.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' })).json().id;
});
afterEach(async () => {
  await t.close();
});

const verify = async (body: object) => {
  const res = await api.post('/v1/keys/verify', body);
  expect(res.statusCode).toBe(200);
  return res.json();
};

describe('dry-run rules through the admin and verify APIs', () => {
  it('stores and shows each rule mode; a bad mode is a 400 naming the field and changes nothing', async () => {
    const created = await api.post('/v1/keys', {
      apiId,
      ratelimits: [{ name: 'trial', limit: 1, duration: 60_000, mode: 'dry-run' }],
      credits: { remaining: 1, mode: 'dry-run' },
      allowedIps: ['192.0.2.0/24'],
      allowedIpsMode: 'dry-run',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      ratelimits: [{ name: 'trial', mode: 'dry-run' }],
      credits: { remaining: 1, refill: null, mode: 'dry-run' },
      allowedIpsMode: 'dry-run',
    });
    const id = created.json().id as string;
    const bad = await api.patch(`/v1/keys/${id}`, { allowedIpsMode: 'audit' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.allowedIpsMode']);
    await expect(api.get(`/v1/keys/${id}`).then((r) => r.json())).resolves.toMatchObject({
      allowedIpsMode: 'dry-run',
    });
    const enforced = await api.patch(`/v1/keys/${id}`, { allowedIpsMode: 'enforce' });
    expect(enforced.json()).not.toHaveProperty('allowedIpsMode');
    // Enforced again: an address outside the list is refused.
    await expect(verify({ key: created.json().key, ip: '198.51.100.1' })).resolves.toMatchObject({
      code: 'FORBIDDEN_IP',
    });
  });

  it('answers VALID with wouldDeny, and usage groups the would-deny outcomes', async () => {
    const { key } = (
      await api.post('/v1/keys', {
        apiId,
        permissions: ['sessions:read'],
        ratelimits: [{ name: 'trial', limit: 1, duration: 60_000, mode: 'dry-run' }],
      })
    ).json();
    const first = await verify({ key, permissions: 'sessions:read', dryRunPermissions: 'sessions:write' });
    const second = await verify({ key, permissions: 'sessions:read' });
    expect(first).toMatchObject({
      valid: true,
      code: 'VALID',
      ratelimits: [],
      wouldDeny: [{ code: 'INSUFFICIENT_PERMISSIONS', rule: 'sessions:write' }],
    });
    expect(second).toMatchObject({ code: 'VALID', wouldDeny: [{ code: 'RATE_LIMITED', rule: 'trial' }] });
    const third = await verify({ key, dryRunPermissions: 'sessions:read' });
    expect(third.wouldDeny).toEqual([{ code: 'RATE_LIMITED', rule: 'trial' }]);
    await t.usage.flush();
    const grouped = await api.get(`/v1/usage?granularity=hour&from=${T}&to=${T + HOUR}&groupBy=outcome`);
    expect(grouped.statusCode).toBe(200);
    expect(grouped.json().series).toEqual([
      { start: T, outcome: 'VALID', count: 3 },
      { start: T, outcome: 'would_deny:INSUFFICIENT_PERMISSIONS', count: 1 },
      { start: T, outcome: 'would_deny:RATE_LIMITED', count: 2 },
    ]);
    const total = await api.get(`/v1/usage?granularity=hour&from=${T}&to=${T + HOUR}`);
    expect(total.json().series).toEqual([{ start: T, count: 3 }]);
  });

  it("counts a consumer's dry-run limit across its keys, never denying", async () => {
    const consumer = await api.post('/v1/consumers', {
      externalId: 'fleet',
      ratelimits: [{ name: 'shared', limit: 1, duration: 60_000, mode: 'dry-run' }],
      credits: { remaining: 0, mode: 'dry-run' },
    });
    expect(consumer.json()).toMatchObject({
      ratelimits: [{ name: 'shared', mode: 'dry-run' }],
      credits: { remaining: 0, mode: 'dry-run' },
    });
    const consumerId = consumer.json().id as string;
    const a = (await api.post('/v1/keys', { apiId, consumerId })).json();
    const b = (await api.post('/v1/keys', { apiId, consumerId })).json();
    await expect(verify({ key: a.key })).resolves.toMatchObject({
      code: 'VALID',
      wouldDeny: [{ code: 'USAGE_EXCEEDED', rule: 'consumer' }],
    });
    await expect(verify({ key: b.key })).resolves.toMatchObject({
      code: 'VALID',
      wouldDeny: [
        { code: 'RATE_LIMITED', rule: 'shared' },
        { code: 'USAGE_EXCEEDED', rule: 'consumer' },
      ],
    });
  });

  it('refuses a malformed dryRunPermissions with 400 naming body.dryRunPermissions', async () => {
    const { key } = (await api.post('/v1/keys', { apiId })).json();
    const res = await api.post('/v1/keys/verify', { key, dryRunPermissions: 'a AND (' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'body.dryRunPermissions', message: expect.stringMatching(/position \d+/) },
    ]);
  });
});
