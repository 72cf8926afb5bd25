import { DEFAULT_CHILD_KEY_POLICY, generateKey, keyHint, mintChildKey, newId } from '@keyward/core';
import { answerFor } from '@keyward/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateGatewayConfig } from './config.js';
import { call, startTestGateway, type TestGateway } from './testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from './testing/test-keys.js';
import { startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

let fixture: KeyFixture;
let upstream: TestUpstream;
let gw: TestGateway;
let base: string;

const routes = (upstreamUrl: string, apiId: string) => `
realm: charging
apiId: ${apiId}
upstreams: [{ url: "${upstreamUrl}" }]
routes:
  - { methods: [GET], path: /echo/stations, permissions: "stations:read" }
  - { methods: [POST], path: /echo/sessions, permissions: "sessions:write AND stations:read", ratelimits: [{ name: requests }] }
  - { methods: [GET], path: /echo/metered, cost: 1 }
  - { methods: [GET], path: /echo/reports, permissions: "stations:read", dryRunPermissions: "reports:read" }
  - { methods: [GET], path: /echo/public, public: true }
`;

/** The middleware's answer to an outcome on `path`: the gateway must send the same. */
const problemOf = (kind: Parameters<typeof answerFor>[0], path: string) => {
  const answer = answerFor(kind, { realm: 'charging', now: Date.now(), target: path });
  if (answer.allow) throw new Error('expected a denial');
  return answer;
};

/** A problem body with its request id checked and set aside: it differs on every request, whatever the key. */
const bodyOf = (result: { json(): unknown }) => {
  const { requestId, ...body } = result.json() as Record<string, unknown>;
  expect(requestId).toEqual(expect.any(String));
  return body;
};

beforeAll(async () => {
  fixture = await createKeyFixture();
  upstream = await startTestUpstream();
  gw = await startTestGateway(fixture, routes(upstream.url, fixture.apiId), { throttle: false });
  base = gw.gateway.url;
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await fixture?.close();
});

const seenCount = () => upstream.seen.length;

describe('gateway: a valid key', () => {
  it('reaches the upstream with the identity, never the key or spoofed identity headers', async () => {
    const { id, key } = await fixture.issue({ permissions: ['stations:read'] });
    const result = await call(`${base}/echo/stations?near=52.5,13.4`, {
      headers: {
        authorization: `Bearer ${key}`,
        'x-keyward-key-id': 'key_spoofed',
        'X-Keyward-Consumer-Id': 'con_spoofed',
        'x-keyward-anything': 'spoofed',
        'x-forwarded-for': '203.0.113.9',
      },
    });
    expect(result.status).toBe(200);
    const echoed = result.json() as { url: string; headers: Record<string, string> };
    expect(echoed.url).toBe('/echo/stations?near=52.5,13.4');
    expect(echoed.headers.authorization).toBeUndefined();
    expect(echoed.headers['x-keyward-anything']).toBeUndefined();
    expect(echoed.headers).toMatchObject({
      'x-keyward-key-id': id,
      'x-keyward-consumer-id': fixture.consumer.id,
      'x-keyward-consumer-external-id': encodeURIComponent(fixture.consumer.externalId),
      'x-keyward-permissions': 'stations:read',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(decodeURIComponent(echoed.headers['x-keyward-consumer-external-id'] ?? '')).toBe('acme corp/ü');
    const event = fixture.usage.at(-1);
    expect(event).toMatchObject({ keyId: id, code: 'VALID', tags: ['route:GET /echo/stations'] });
  });

  it('forwards request bodies and adds RateLimit headers to the upstream answer', async () => {
    const { key } = await fixture.issue({
      permissions: ['sessions:write', 'stations:read'],
      ratelimits: [{ name: 'requests', limit: 1, duration: 60_000, algorithm: 'sliding_window' }],
    });
    const ok = await call(`${base}/echo/sessions`, {
      method: 'POST',
      headers: { authorization: `bearer ${key}`, 'content-type': 'application/json' },
      body: '{"station":"st_1"}',
    });
    expect(ok.status).toBe(200);
    expect((ok.json() as { body: string }).body).toBe('{"station":"st_1"}');
    expect(ok.headers['ratelimit-policy']).toMatch(/^"requests";q=1(;w=60)?$/);
    expect(ok.headers.ratelimit).toMatch(/^"requests";r=0;t=\d+$/);

    const before = seenCount();
    const limited = await call(`${base}/echo/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: 'x',
    });
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.headers['ratelimit-policy']).toMatch(/^"requests";q=1(;w=60)?$/);
    expect(bodyOf(limited)).toEqual(
      problemOf(
        {
          kind: 'verified',
          verification: {
            valid: false,
            code: 'RATE_LIMITED',
            identity: null,
            ratelimits: [],
            credits: null,
            retryAfterMs: 1,
          },
        },
        '/echo/sessions',
      ).body,
    );
    expect(seenCount()).toBe(before);
    expect(fixture.usage.at(-1)).toMatchObject({ code: 'RATE_LIMITED', tags: ['route:POST /echo/sessions'] });
  });

  it('answers 429 without Retry-After when the credits are gone for good', async () => {
    const { key } = await fixture.issue({ credits: { remaining: 1 } });
    expect((await call(`${base}/echo/metered`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      200,
    );
    const spent = await call(`${base}/echo/metered`, { headers: { authorization: `Bearer ${key}` } });
    expect(spent.status).toBe(429);
    expect(spent.headers['retry-after']).toBeUndefined();
    expect(spent.json()).toMatchObject({ status: 429, code: 'USAGE_EXCEEDED' });
  });
});

describe('gateway: dry-run rules', () => {
  it('forwards a request a dry-run rule would deny, telling the upstream and usage which rules', async () => {
    const { id, key } = await fixture.issue({
      permissions: ['stations:read'],
      allowedIps: ['192.0.2.0/24'],
      allowedIpsMode: 'dry-run',
    });
    const result = await call(`${base}/echo/reports`, { headers: { authorization: `Bearer ${key}` } });
    expect(result.status).toBe(200);
    const echoed = result.json() as { headers: Record<string, string> };
    expect(echoed.headers['x-keyward-would-deny']).toBe('FORBIDDEN_IP,INSUFFICIENT_PERMISSIONS');
    expect(fixture.usage.at(-1)).toMatchObject({
      keyId: id,
      code: 'VALID',
      wouldDeny: ['FORBIDDEN_IP', 'INSUFFICIENT_PERMISSIONS'],
    });
    // A key no dry-run rule would deny carries no such header, and a client cannot forge one.
    const clean = await fixture.issue({ permissions: ['stations:read', 'reports:read'] });
    const passed = await call(`${base}/echo/reports`, {
      headers: { authorization: `Bearer ${clean.key}`, 'x-keyward-would-deny': 'RATE_LIMITED' },
    });
    expect(
      (passed.json() as { headers: Record<string, string> }).headers['x-keyward-would-deny'],
    ).toBeUndefined();
  });

  it('refuses a malformed dryRunPermissions in the route file, naming the field', () => {
    const result = validateGatewayConfig(`
upstreams: [{ url: "http://127.0.0.1:3000" }]
routes:
  - { path: /a, dryRunPermissions: "a AND (" }
`);
    expect(result.ok ? [] : result.issues.map((issue) => issue.field)).toEqual([
      'routes[0].dryRunPermissions',
    ]);
  });
});

describe('gateway: denials follow the middleware exactly', () => {
  it('401 without credentials: a bare challenge, and the upstream never hears of it', async () => {
    const before = seenCount();
    const result = await call(`${base}/echo/stations`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    const expected = problemOf({ kind: 'missing' }, '/echo/stations');
    expect(result.status).toBe(401);
    expect(result.headers['www-authenticate']).toBe('Bearer realm="charging"');
    expect(result.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(result.headers['cache-control']).toBe('no-store');
    expect(bodyOf(result)).toEqual(expected.body);
    expect(seenCount()).toBe(before);
  });

  it('401 invalid_token, identical for unknown, revoked, expired, disabled, garbage and other-API keys', async () => {
    const revoked = await fixture.issue({ revokedAt: Date.now() - 1000 });
    const expired = await fixture.issue({ expiresAt: Date.now() - 1000 });
    const disabled = await fixture.issue({ enabled: false });
    const apiId = newId('api');
    const now = Date.now();
    await fixture.store.apis.create({
      id: apiId,
      workspaceId: fixture.workspaceId,
      name: 'Other',
      prefix: 'amp_live',
      createdAt: now,
      updatedAt: now,
    });
    const otherApi = await fixture.issue({ apiId });
    const tokens = [
      generateKey('amp_live'),
      revoked.key,
      expired.key,
      disabled.key,
      otherApi.key,
      'amp_live_short',
      'a.b.c',
    ];
    const answers = await Promise.all(
      tokens.map((token) => call(`${base}/echo/stations`, { headers: { authorization: `Bearer ${token}` } })),
    );
    for (const result of answers) {
      expect(result.status).toBe(401);
      expect(result.headers['www-authenticate']).toBe('Bearer realm="charging", error="invalid_token"');
      expect(bodyOf(result)).toEqual(problemOf({ kind: 'malformed' }, '/echo/stations').body);
    }
  });

  it('400 invalid_request for two Authorization headers or a key in the query', async () => {
    const { key } = await fixture.issue({ permissions: ['stations:read'] });
    const twice = await call(`${base}/echo/stations`, {
      headers: ['authorization', `Bearer ${key}`, 'authorization', `Bearer ${key}`],
    });
    expect(twice.status).toBe(400);
    expect(twice.headers['www-authenticate']).toBe('Bearer realm="charging", error="invalid_request"');
    expect(bodyOf(twice)).toEqual(problemOf({ kind: 'duplicate' }, '/echo/stations').body);
    const query = await call(`${base}/echo/stations?access_token=${key}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(query.status).toBe(400);
    expect(bodyOf(query)).toEqual(problemOf({ kind: 'query_token' }, '/echo/stations').body);
  });

  it('403 insufficient_scope naming the scope', async () => {
    const { key } = await fixture.issue({ permissions: ['stations:read'] });
    const result = await call(`${base}/echo/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(result.status).toBe(403);
    expect(result.headers['www-authenticate']).toBe(
      'Bearer realm="charging", error="insufficient_scope", scope="sessions:write stations:read"',
    );
    expect(result.json()).toMatchObject({
      status: 403,
      error: 'insufficient_scope',
      code: 'INSUFFICIENT_PERMISSIONS',
    });
  });

  it('denies unmatched paths (404) and wrong methods (405) as problem+json', async () => {
    const before = seenCount();
    const missing = await call(`${base}/admin/keys`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(missing.json()).toMatchObject({ status: 404, title: 'Not Found' });
    const wrong = await call(`${base}/echo/stations`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    const dotted = await call(`${base}/echo/public/..%2Fstations`);
    expect(dotted.status).toBe(400);
    const malformed = await call(`${base}/echo/%zz`);
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({
      status: 400,
      detail: 'Refused: the request target is malformed.',
    });
    expect(seenCount()).toBe(before);
  });
});

describe('gateway: public routes', () => {
  it('pass without a key, strip spoofed identity headers, and record usage with the route', async () => {
    const result = await call(`${base}/echo/public`, { headers: { 'x-keyward-key-id': 'key_spoofed' } });
    expect(result.status).toBe(200);
    const { headers } = result.json() as { headers: Record<string, string> };
    expect(Object.keys(headers).filter((name) => name.startsWith('x-keyward-'))).toEqual([]);
    expect(gw.publicUsage.at(-1)).toMatchObject({
      keyId: null,
      apiId: fixture.apiId,
      tags: ['route:GET /echo/public', 'public'],
    });
  });
});

describe('gateway: a child key', () => {
  it('reaches the upstream naming its parent, within the parent permissions, and dies with the parent', async () => {
    const parent = await fixture.issue({ permissions: ['stations:read', 'sessions:write'] });
    const parentRecord = await fixture.store.keys.get(fixture.workspaceId, parent.id);
    if (parentRecord === null) throw new Error('the parent key was not stored');
    const key = generateKey('amp_live');
    const child = mintChildKey(
      parentRecord,
      parentRecord.permissions,
      DEFAULT_CHILD_KEY_POLICY,
      { permissions: ['stations:read'], expiresIn: 600 },
      { id: newId('key'), digest: fixture.engine.digest(key), hint: keyHint(key) },
      Date.now(),
    );
    await fixture.store.keys.create(child);
    const result = await call(`${base}/echo/stations`, { headers: { authorization: `Bearer ${key}` } });
    expect(result.status).toBe(200);
    const echoed = result.json() as { headers: Record<string, string> };
    expect(echoed.headers).toMatchObject({
      'x-keyward-key-id': child.id,
      'x-keyward-parent-key-id': parent.id,
      'x-keyward-permissions': 'stations:read',
      'x-keyward-consumer-id': fixture.consumer.id,
    });
    expect(fixture.usage.at(-1)).toMatchObject({ keyId: child.id, parentKeyId: parent.id, code: 'VALID' });
    const wider = await call(`${base}/echo/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(wider.status).toBe(403);
    await fixture.store.keys.revoke(fixture.workspaceId, parent.id, Date.now());
    await fixture.engine.invalidate({ type: 'key', keyId: parent.id, digests: [] });
    const dead = await call(`${base}/echo/stations`, { headers: { authorization: `Bearer ${key}` } });
    expect(dead.status).toBe(401);
  });
});
