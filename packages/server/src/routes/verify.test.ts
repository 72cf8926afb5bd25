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

const verify = async (body: object) => {
  const res = await api.post('/v1/keys/verify', body);
  expect(res.statusCode).toBe(200);
  return res.json();
};

describe('POST /v1/keys/verify', () => {
  it('answers the full identity for a valid key', async () => {
    const created = (
      await api.post('/v1/keys', {
        apiId,
        externalId: 'acme',
        name: 'prod',
        meta: { a: 1 },
        permissions: ['chargers:*'],
        ratelimits: [{ name: 'rpm', limit: 10, duration: 60_000 }],
        credits: { remaining: 5 },
        expiresAt: t.clock.now() + 10_000,
      })
    ).json();
    const result = await verify({
      key: created.key,
      apiId,
      permissions: 'chargers:read',
      credits: { cost: 2 },
    });
    expect(result).toEqual({
      valid: true,
      code: 'VALID',
      keyId: created.id,
      workspaceId: t.a.id,
      apiId,
      consumer: { id: created.consumerId, externalId: 'acme', name: null, meta: null },
      name: 'prod',
      meta: { a: 1 },
      permissions: ['chargers:*'],
      roles: [],
      credits: { remaining: 3 },
      ratelimits: [
        {
          name: 'rpm',
          limit: 10,
          remaining: 9,
          reset: expect.any(Number),
          resetAfterMs: 120_000,
          duration: 60_000,
          scope: 'key',
        },
      ],
      expiresAt: created.expiresAt,
      environment: 'live',
      parentKeyId: null,
      retryAfterMs: null,
    });
  });

  it('NOT_FOUND carries nulls: unknown key, garbage, key of another API', async () => {
    const other = (await api.post('/v1/apis', { name: 'Other', prefix: 'oth' })).json().id;
    const { key } = (await api.post('/v1/keys', { apiId })).json();
    const empty = {
      valid: false,
      code: 'NOT_FOUND',
      keyId: null,
      workspaceId: null,
      apiId: null,
      consumer: null,
      name: null,
      meta: null,
      permissions: [],
      roles: [],
      credits: null,
      ratelimits: [],
      expiresAt: null,
      environment: null,
      parentKeyId: null,
      retryAfterMs: null,
    };
    expect(await verify({ key: 'amp_live_000000000000000000000000000000000000' })).toEqual(empty);
    expect(await verify({ key: 'garbage' })).toEqual(empty);
    expect(await verify({ key, apiId: other })).toEqual(empty);
    expect(await verify({ key, apiId: 'api_unknown' })).toEqual(empty);
  });

  it('reaches every denial code', async () => {
    const make = async (body: object) => (await api.post('/v1/keys', { apiId, ...body })).json();
    const disabled = await make({ enabled: false });
    expect((await verify({ key: disabled.key })).code).toBe('DISABLED');
    const expiring = await make({ expiresAt: t.clock.now() + 1 });
    t.clock.advance(1);
    expect((await verify({ key: expiring.key })).code).toBe('EXPIRED');
    const revoked = await make({});
    await api.post(`/v1/keys/${revoked.id}/revoke`);
    expect((await verify({ key: revoked.key })).code).toBe('REVOKED');
    const ipBound = await make({ allowedIps: ['203.0.113.0/24'] });
    expect((await verify({ key: ipBound.key, ip: '198.51.100.1' })).code).toBe('FORBIDDEN_IP');
    expect((await verify({ key: ipBound.key, ip: '203.0.113.9' })).code).toBe('VALID');
    const scoped = await make({ permissions: ['sessions:read'] });
    const denied = await verify({ key: scoped.key, permissions: 'sessions:read AND admin' });
    expect(denied).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS', keyId: scoped.id });
    const limited = await make({ ratelimits: [{ name: 'rps', limit: 1, duration: 1000 }] });
    expect((await verify({ key: limited.key })).code).toBe('VALID');
    const rateLimited = await verify({ key: limited.key });
    expect(rateLimited).toMatchObject({
      code: 'RATE_LIMITED',
      ratelimits: [{ name: 'rps', limit: 1, remaining: 0 }],
    });
    expect(rateLimited.retryAfterMs).toBeGreaterThan(0);
    const quota = await make({ credits: { remaining: 1 } });
    expect((await verify({ key: quota.key })).credits).toEqual({ remaining: 0 });
    expect(await verify({ key: quota.key })).toMatchObject({
      code: 'USAGE_EXCEEDED',
      credits: { remaining: 0 },
    });
  });

  it('a malformed permission query is a 400 naming the position, never a denial', async () => {
    const { key } = (await api.post('/v1/keys', { apiId })).json();
    const res = await api.post('/v1/keys/verify', { key, permissions: 'a AND (b OR' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION',
      errors: [{ field: 'body.permissions', message: expect.stringMatching(/position \d+/) }],
    });
    const ip = await api.post('/v1/keys/verify', { key, ip: 'not-an-ip' });
    expect(ip.statusCode).toBe(400);
    expect(ip.json().errors[0].field).toBe('body.ip');
  });

  it('needs keys:verify; keys:write alone does not imply it', async () => {
    const { key } = (await api.post('/v1/keys', { apiId })).json();
    const writer = clientFor(t.app, await t.rootKey(['keys:write']));
    const res = await writer.post('/v1/keys/verify', { key });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain('keys:verify');
    const verifier = clientFor(t.app, await t.rootKey(['keys:verify']));
    expect((await verifier.post('/v1/keys/verify', { key })).json().valid).toBe(true);
  });
});
