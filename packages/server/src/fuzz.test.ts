import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogRoute, catalog, createFixtures, portalCatalog } from './testing/route-catalog.js';
import { createTestApp, type TestApp } from './testing/test-app.js';
import { clientFor } from './testing/test-client.js';

/**
 * Throws random bodies, headers, content types, tokens and paths at every route, with and
 * without a valid root key. Every input is one the API must reject (or a read), so the
 * database must be byte-for-byte the same afterwards; no reply may be a 5xx, and every
 * error must be problem+json.
 */
let t: TestApp;
let routes: CatalogRoute[];
let noPermissions: string;
/** The one permission of the "forbidden" caller: every route but the two usage reads refuses it. */
const ONLY_PERMISSION = 'usage:read';
let before: Record<string, unknown[]>;

beforeAll(async () => {
  // Throttling would turn later requests into 429s; it has its own test.
  t = await createTestApp({ storage: 'file', app: { throttle: { maxFailures: 1_000_000_000 } } });
  const f = await createFixtures(clientFor(t.app, t.a.rootKey), 'a');
  routes = [...catalog(f), ...portalCatalog(f)];
  noPermissions = await t.rootKey([ONLY_PERMISSION]);
  before = t.dump();
});
afterAll(async () => {
  await t.close();
});

const RESERVED_HEADERS = new Set([
  'content-length',
  'host',
  'transfer-encoding',
  'authorization',
  'content-type',
  'connection',
  'expect',
  'upgrade',
]);
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/).filter((h) => !RESERVED_HEADERS.has(h));
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,200}$/).map((v) => v.trim());
const randomHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 5 });

const badToken = fc.oneof(
  fc.constant(null),
  fc.stringMatching(/^[\x21-\x7e]{0,80}$/).map((s) => `Bearer ${s}`),
  fc.stringMatching(/^[\x20-\x7e]{0,80}$/),
  fc.constant('Bearer kwroot_000000000000000000000000000000000000'),
  fc.constant('Bearer'),
);

/** Who calls: nobody, a garbage token, a root key without the permission, or a full root key. */
type Caller = { kind: 'anonymous'; header: string | null } | { kind: 'forbidden' } | { kind: 'admin' };
const caller: fc.Arbitrary<Caller> = fc.oneof(
  { arbitrary: badToken.map((header) => ({ kind: 'anonymous' as const, header })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'forbidden' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'admin' as const }), weight: 3 },
);

const contentType = fc.oneof(
  { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ),
    weight: 1,
  },
  { arbitrary: fc.stringMatching(/^[a-z]{1,10}\/[a-z+.-]{1,15}$/), weight: 1 },
);

/** A body the route must refuse: valid fields overwritten with random JSON, plus a field no schema allows. */
const hostileBody = (route: CatalogRoute) => {
  const known = Object.keys((route.body as Record<string, unknown> | undefined) ?? {});
  const fields = fc.dictionary(
    known.length > 0 ? fc.constantFrom(...known) : fc.string(),
    fc.jsonValue({ maxDepth: 3 }),
    {
      maxKeys: 3,
    },
  );
  return fc.oneof(
    {
      // The closest call to a valid request: valid (or randomly replaced) fields plus one no schema allows.
      arbitrary: fc
        .record({
          base: fc.option(fields, { freq: 2 }),
          extra: fc.stringMatching(/^zz[a-z0-9_]{0,10}$/),
          value: fc.jsonValue({ maxDepth: 2 }),
        })
        .map(({ base, extra, value }) =>
          JSON.stringify({ ...(route.body as object), ...base, [extra]: value }),
        ),
      weight: 4,
    },
    {
      arbitrary: fc
        .jsonValue({ maxDepth: 3 })
        .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
        .map((v) => JSON.stringify(v)),
      weight: 1,
    },
    { arbitrary: fc.string({ maxLength: 200 }).map((text) => `{"broken": ${text}`), weight: 1 },
    { arbitrary: fc.constant('{"__proto__": {"polluted": true}}'), weight: 1 },
  );
};

/** Routes that change something without a body: only random (unknown) ids are safe to send. */
const bodyless = (route: CatalogRoute) => route.method !== 'GET' && route.body === undefined;
// Not '', '.' or '..': URL resolution drops an empty or dot segment (encodeURIComponent leaves
// dots alone), and the request then names another route (`/v1/keys/./revoke` is
// `/v1/keys/revoke`), which answers 404 to everyone.
const randomId = fc.oneof(
  fc.string({ maxLength: 80 }).filter((id) => id !== '' && id !== '.' && id !== '..'),
  fc.stringMatching(/^(key|api|con|rk|role)_[0-9A-Za-z]{22}$/),
);
const withRandomIds = (route: CatalogRoute) =>
  fc
    .tuple(randomId, randomId)
    .map(([id, name]) =>
      route.pattern.replace(':id', encodeURIComponent(id)).replace(':name', encodeURIComponent(name)),
    );

function authorization(who: Caller): Record<string, string> {
  if (who.kind === 'admin') return { authorization: `Bearer ${t.a.rootKey}` };
  if (who.kind === 'forbidden') return { authorization: `Bearer ${noPermissions}` };
  return who.header === null ? {} : { authorization: who.header };
}

function expectWellFormed(res: LightMyRequestResponse, method: string, context: object): void {
  expect({ ...context, status: res.statusCode, body: res.statusCode >= 500 ? res.body : '' }).toMatchObject({
    status: expect.any(Number),
  });
  if (res.statusCode >= 500) throw new Error(`5xx for ${JSON.stringify(context)}: ${res.body}`);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (method !== 'HEAD')
      expect(res.json()).toMatchObject({
        status: res.statusCode,
        type: expect.any(String),
        detail: expect.any(String),
      });
  }
}

/** Paths a client can send at all (the injector itself refuses what no URL parser accepts). */
const parsable = (path: string): boolean => {
  try {
    new URL(path.startsWith('/') ? path : `/${path}`, 'http://localhost');
    return true;
  } catch {
    return false;
  }
};

describe('fuzz', () => {
  it('every route rejects random input cleanly and the store stays unchanged', async () => {
    let runs = 0;
    for (const route of routes) {
      const url = bodyless(route) ? withRandomIds(route) : fc.constant(route.url);
      const query = fc.option(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 30 }), { maxKeys: 3 }),
      );
      await fc.assert(
        fc.asyncProperty(
          caller,
          url,
          hostileBody(route),
          contentType,
          randomHeaders,
          query,
          async (who, path, body, type, headers, q) => {
            runs++;
            const search = q === null ? '' : `?${new URLSearchParams(q).toString()}`;
            const sendsBody = route.method !== 'GET' && route.method !== 'DELETE';
            const request: InjectOptions = {
              method: route.method,
              url: `${path}${route.method === 'GET' ? search : ''}`,
              headers: { ...headers, ...authorization(who), ...(sendsBody ? { 'content-type': type } : {}) },
              ...(sendsBody ? { payload: body } : {}),
            };
            const res = await t.app.inject(request);
            expectWellFormed(res, route.method, { route: route.pattern, who: who.kind });
            if (who.kind === 'anonymous') expect(res.statusCode).toBe(401);
            if (who.kind === 'forbidden' && route.permission !== ONLY_PERMISSION)
              expect(res.statusCode).toBe(403);
            if (route.method !== 'GET') expect(res.statusCode).toBeGreaterThanOrEqual(400);
          },
        ),
        { numRuns: 40 },
      );
    }
    expect(runs).toBeGreaterThanOrEqual(1000);
    expect(t.dump()).toEqual(before);
  });

  it('random paths and methods answer a problem, never a 5xx', async () => {
    const methods: Array<NonNullable<InjectOptions['method']>> = [
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'HEAD',
    ];
    const method = fc.constantFrom(...methods);
    const path = fc
      .oneof(
        fc.webPath(),
        fc
          .array(fc.string({ maxLength: 20 }), { maxLength: 5 })
          .map((segments) => `/v1/${segments.map(encodeURIComponent).join('/')}`),
        fc.stringMatching(/^\/[\x21-\x7e]{0,100}$/),
      )
      .filter(parsable);
    await fc.assert(
      fc.asyncProperty(method, path, caller, randomHeaders, async (m, p, who, headers) => {
        const res = await t.app.inject({
          method: m,
          url: p.startsWith('/') ? p : `/${p}`,
          headers: { ...headers, ...authorization(who) },
        });
        expectWellFormed(res, String(m), { path: p, method: m });
        // A random path only reads (or hits a guarded route without a body): nothing may change.
      }),
      { numRuns: 500 },
    );
    expect(t.dump()).toEqual(before);
  });
});
