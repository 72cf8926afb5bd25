import { connect } from 'node:net';
import { generateKey } from '@keyward/core';
import { ROOT_PERMISSIONS } from '@keyward/protocol';
import { answerFor, type Outcome } from '@keyward/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogRoute,
  catalog,
  createFixtures,
  type Fixtures,
  portalCatalog,
} from './testing/route-catalog.js';
import { createTestApp, type TestApp } from './testing/test-app.js';
import { call, clientFor } from './testing/test-client.js';

let t: TestApp;
let f: Fixtures;
let routes: CatalogRoute[];

beforeAll(async () => {
  t = await createTestApp({ app: { throttle: { maxFailures: 1000 } } });
  f = await createFixtures(clientFor(t.app, t.a.rootKey), 'a');
  routes = [...catalog(f), ...portalCatalog(f)];
});
afterAll(async () => {
  await t.close();
});

const send = (route: CatalogRoute, rootKey: string | null, headers?: Record<string, string>) =>
  call(t.app, rootKey, route.method, route.url, route.body, headers);

describe('root-key authentication', () => {
  it('the catalog covers every admin route the OpenAPI document lists', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) =>
        Object.entries(ops)
          // Public on purpose (the GitHub secret-scanning endpoint: signed by GitHub), or
          // authenticated by an API's key rather than a root key (minting a child key).
          .filter(([, op]) =>
            (op.security ?? []).some((scheme) => Object.hasOwn(scheme as object, 'rootKey')),
          )
          .map(([m]) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
    expect(new Set(routes.map((r) => `${r.method} ${r.pattern}`))).toEqual(new Set(documented));
  });

  it('answers 401 with WWW-Authenticate: Bearer on every route without credentials', async () => {
    for (const route of routes) {
      const res = await send(route, null);
      expect({ route: route.pattern, status: res.statusCode }).toEqual({ route: route.pattern, status: 401 });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="keyward"');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({
        status: 401,
        code: 'UNAUTHORIZED',
        type: 'urn:keyward:problem:unauthorized',
      });
    }
  });

  it('answers 401 invalid_token for a wrong, malformed or non-root token on every route', async () => {
    const wrong = ['kwroot_000000000000000000000000000000000000', f.key, 'not a token', `${t.a.rootKey}x`];
    for (const route of routes) {
      for (const token of wrong) {
        const res = await send(route, token);
        expect({ route: route.pattern, token, status: res.statusCode }).toMatchObject({ status: 401 });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="keyward", error="invalid_token"');
      }
    }
  });

  it('answers 403 naming the permission on every route when the root key lacks it', async () => {
    for (const route of routes) {
      const resource = route.permission.split(':')[0];
      const others = ROOT_PERMISSIONS.filter(
        (p) =>
          p !== '*' &&
          p !== route.permission &&
          !(route.permission.endsWith(':read') && p === `${resource}:write`),
      );
      const res = await send(route, await t.rootKey([...others]));
      expect({ route: route.pattern, status: res.statusCode }).toEqual({ route: route.pattern, status: 403 });
      expect(res.json()).toMatchObject({
        code: 'INSUFFICIENT_PERMISSIONS',
        error: 'insufficient_scope',
        detail: expect.stringContaining(`"${route.permission}"`),
      });
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="keyward", error="insufficient_scope", scope="${route.permission}"`,
      );
    }
  });

  it('a :write permission implies the :read of the same resource only', async () => {
    const writer = clientFor(t.app, await t.rootKey(['keys:write']));
    expect((await writer.get('/v1/keys')).statusCode).toBe(200);
    expect((await writer.get('/v1/apis')).statusCode).toBe(403);
  });

  it('checks credentials before the body: an unauthenticated bad body is a 401, not a 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(res.statusCode).toBe(401);
  });

  it('accepts the scheme in any case; refuses other schemes', async () => {
    expect(
      (await t.app.inject({ url: '/v1/apis', headers: { authorization: `bEaReR ${t.a.rootKey}` } }))
        .statusCode,
    ).toBe(200);
    const basic = await t.app.inject({ url: '/v1/apis', headers: { authorization: `Basic ${t.a.rootKey}` } });
    expect(basic.statusCode).toBe(401);
  });

  it('answers each credential problem with the status, challenge and problem the middleware and gateway send', async () => {
    const cases: Array<[Outcome, Record<string, string>, string]> = [
      [{ kind: 'missing' }, {}, '/v1/apis'],
      [{ kind: 'missing' }, { authorization: 'Basic dXNlcjpwYXNz' }, '/v1/apis'],
      [{ kind: 'malformed' }, { authorization: 'Bearer not-a-root-key' }, '/v1/apis'],
      [{ kind: 'query_token' }, { authorization: `Bearer ${t.a.rootKey}` }, '/v1/apis?access_token=x'],
    ];
    for (const [outcome, headers, url] of cases) {
      const res = await t.app.inject({ url, headers });
      const sdk = answerFor(outcome, { realm: 'keyward', now: Date.now(), target: url });
      if (sdk.allow) throw new Error('expected a denial');
      const shape = (status: number, challenge: unknown, body: Record<string, unknown>) => ({
        status,
        challenge,
        type: body.type,
        title: body.title,
        code: body.code,
        error: body.error,
        instance: body.instance,
      });
      expect(shape(res.statusCode, res.headers['www-authenticate'], res.json())).toEqual(
        shape(sdk.status, sdk.headers['www-authenticate'], sdk.body),
      );
      expect(res.headers['content-type']).toBe(sdk.headers['content-type']);
    }
  });

  it('refuses a root key in the URL, even with a valid header', async () => {
    const res = await t.app.inject({
      url: `/v1/apis?access_token=${t.a.rootKey}`,
      headers: { authorization: `Bearer ${t.a.rootKey}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="keyward", error="invalid_request"');
    expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', error: 'invalid_request', instance: '/v1/apis' });
  });

  it('refuses two Authorization headers (over a real socket: Node keeps only the first in request.headers)', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const raw = (authorizations: string[]) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          const lines = authorizations.map((a) => `Authorization: ${a}\r\n`).join('');
          socket.write(`GET /v1/apis HTTP/1.1\r\nHost: localhost\r\n${lines}Connection: close\r\n\r\n`);
        });
        let reply = '';
        socket.on('data', (chunk) => {
          reply += chunk.toString();
        });
        socket.on('end', () => resolve(reply));
        socket.on('error', reject);
      });
    expect(await raw([`Bearer ${t.a.rootKey}`])).toMatch(/^HTTP\/1\.1 200/);
    // As every keyward face answers it (RFC 6750 invalid_request): which one counts is not defined.
    const twice = await raw([`Bearer ${t.a.rootKey}`, `Bearer ${t.a.rootKey}`]);
    expect(twice).toMatch(/^HTTP\/1\.1 400/);
    expect(twice).toMatch(/www-authenticate: Bearer realm="keyward", error="invalid_request"/i);
  });

  it('a rolled root key stops at once, a revoked one too', async () => {
    const admin = clientFor(t.app, t.a.rootKey);
    const created = (await admin.post('/v1/root-keys', { permissions: ['apis:read'] })).json();
    expect((await clientFor(t.app, created.key).get('/v1/apis')).statusCode).toBe(200);
    const rolled = (await admin.post(`/v1/root-keys/${created.id}/roll`)).json();
    expect((await clientFor(t.app, created.key).get('/v1/apis')).statusCode).toBe(401);
    expect((await clientFor(t.app, rolled.key).get('/v1/apis')).statusCode).toBe(200);
    await admin.post(`/v1/root-keys/${created.id}/revoke`);
    expect((await clientFor(t.app, rolled.key).get('/v1/apis')).statusCode).toBe(401);
  });
});

describe('brute-force throttling', () => {
  it("blocks a client's invalid root keys after repeated ones, not its valid ones, not other clients", async () => {
    const app = await createTestApp({ app: { throttle: { maxFailures: 3, blockMs: 60_000 } } });
    try {
      const bad = 'kwroot_000000000000000000000000000000000000';
      const from = (ip: string, key: string, extra: Record<string, string> = {}) =>
        app.app.inject({
          url: '/v1/apis',
          remoteAddress: ip,
          headers: { authorization: `Bearer ${key}`, ...extra },
        });
      for (let i = 0; i < 3; i++) expect((await from('198.51.100.7', bad)).statusCode).toBe(401);
      const blocked = await from('198.51.100.7', bad);
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(blocked.json()).toMatchObject({ code: 'TOO_MANY_FAILURES', title: 'Too Many Failed Attempts' });
      expect((await from('198.51.100.7', generateKey('kwroot'))).statusCode).toBe(429);
      // X-Forwarded-For is not trusted by default: it cannot dodge the block.
      expect((await from('198.51.100.7', bad, { 'x-forwarded-for': '203.0.113.1' })).statusCode).toBe(429);
      // A valid root key from the same (possibly shared) address passes (issue 10).
      expect((await from('198.51.100.7', app.a.rootKey)).statusCode).toBe(200);
      expect((await from('198.51.100.8', bad)).statusCode).toBe(401);
      app.clock.advance(60_000);
      expect((await from('198.51.100.7', bad)).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('uses the forwarded client address only behind a trusted proxy', async () => {
    const app = await createTestApp({ app: { trustProxy: '127.0.0.1', throttle: { maxFailures: 1 } } });
    try {
      const bad = 'kwroot_000000000000000000000000000000000000';
      const from = (client: string, key: string) =>
        app.app.inject({
          url: '/v1/apis',
          remoteAddress: '127.0.0.1',
          headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': client },
        });
      expect((await from('203.0.113.1', bad)).statusCode).toBe(401);
      expect((await from('203.0.113.1', bad)).statusCode).toBe(429);
      expect((await from('203.0.113.2', bad)).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
