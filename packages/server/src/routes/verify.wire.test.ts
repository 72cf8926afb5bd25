import { afterEach, describe, expect, it } from 'vitest';
import { createAppLogger } from '../logging.js';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor } from '../testing/test-client.js';

// The verify route's whole answer on the wire (status, headers, body) for each kind of
// outcome: the hot path was tuned (route-level root-key hook, callback-style hooks, a
// replay secret computed on demand), and none of that may change what a caller receives.

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const REQUEST_ID = 'wire-test-1';
const COMMON = {
  'x-request-id': REQUEST_ID,
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** Every field of the wire's verify answer, for every outcome. */
const FIELDS = [
  'apiId',
  'code',
  'consumer',
  'credits',
  'environment',
  'expiresAt',
  'keyId',
  'meta',
  'name',
  'parentKeyId',
  'permissions',
  'ratelimits',
  'retryAfterMs',
  'roles',
  'valid',
  'workspaceId',
];

async function setUp(options: Parameters<typeof createTestApp>[0] = {}) {
  t = await createTestApp(options);
  const api = clientFor(t.app, t.a.rootKey);
  const apiId: string = (await api.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' })).json().id;
  const created = (
    await api.post('/v1/keys', { apiId, externalId: 'acme', permissions: ['chargers:read'] })
  ).json();
  return { api, apiId, key: created.key as string, keyId: created.id as string };
}

const post = (rootKey: string | null, body: unknown) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/keys/verify',
    headers: {
      ...(rootKey === null ? {} : { authorization: `Bearer ${rootKey}` }),
      'content-type': 'application/json',
      'x-request-id': REQUEST_ID,
    },
    payload: JSON.stringify(body),
  });

describe('POST /v1/keys/verify on the wire', () => {
  it('answers a valid key with every field of the verify result and the admin headers', async () => {
    const { apiId, key, keyId } = await setUp();
    const res = await post(t.a.rootKey, { key, apiId, permissions: 'chargers:read' });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ ...COMMON, 'content-type': 'application/json; charset=utf-8' });
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(FIELDS);
    expect(body).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId,
      apiId,
      workspaceId: t.a.id,
      permissions: ['chargers:read'],
      credits: null,
      ratelimits: [],
      retryAfterMs: null,
    });
    expect(body.consumer).toMatchObject({ externalId: 'acme' });
  });

  it('answers a denial as 200 with the code, and an unknown key with nulls', async () => {
    const { key } = await setUp();
    const denied = await post(t.a.rootKey, { key, permissions: 'chargers:write' });
    expect(denied.statusCode).toBe(200);
    expect(denied.headers).toMatchObject(COMMON);
    expect(denied.json()).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(Object.keys(denied.json()).sort()).toEqual(FIELDS);
    const unknown = await post(t.a.rootKey, { key: `${key.slice(0, -8)}AAAAAAAA` });
    expect(unknown.json()).toEqual({
      valid: false,
      code: 'NOT_FOUND',
      keyId: null,
      apiId: null,
      workspaceId: null,
      consumer: null,
      name: null,
      meta: null,
      environment: null,
      parentKeyId: null,
      expiresAt: null,
      permissions: [],
      roles: [],
      ratelimits: [],
      credits: null,
      retryAfterMs: null,
    });
  });

  it('answers a bad body with problem+json naming each field, with the same headers', async () => {
    await setUp();
    const res = await post(t.a.rootKey, { key: 5, extra: true });
    expect(res.statusCode).toBe(400);
    expect(res.headers).toMatchObject({
      ...COMMON,
      'content-type': 'application/problem+json; charset=utf-8',
    });
    const fields = (res.json().errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toContain('body.key');
    expect(fields).toContain('body.extra');
  });

  it('answers a missing, an invalid and an unentitled root key before the body is read', async () => {
    const { key } = await setUp();
    const missing = await post(null, { key });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers).toMatchObject({
      ...COMMON,
      'www-authenticate': expect.stringMatching(/^Bearer /),
    });
    const invalid = await post(`${t.a.rootKey.slice(0, -4)}AAAA`, { nonsense: true });
    expect(invalid.statusCode).toBe(401);
    expect(invalid.headers['www-authenticate']).toContain('error="invalid_token"');
    const writer = await t.rootKey(['keys:write']);
    const lacking = await post(writer, { key });
    expect(lacking.statusCode).toBe(403);
    expect(lacking.headers['www-authenticate']).toContain('scope="keys:verify"');
    expect(lacking.json()).toMatchObject({ status: 403, detail: expect.stringContaining('keys:verify') });
  });

  it('writes one request line per request, naming the root key, never the keys', async () => {
    const lines: string[] = [];
    const logger = createAppLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const { key } = await setUp({ logger });
    lines.length = 0;
    await post(t.a.rootKey, { key });
    const requests = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/keys/verify',
      route: '/v1/keys/verify',
      status: 200,
      actor: t.a.rootKeyId,
    });
    expect(lines.join('\n')).not.toContain(key);
    expect(lines.join('\n')).not.toContain(t.a.rootKey);
  });
});
