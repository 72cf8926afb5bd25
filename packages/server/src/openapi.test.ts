import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './testing/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ app: { docs: true } });
});
afterAll(async () => {
  await t.close();
});

describe('/openapi.json', () => {
  it('is OpenAPI 3.1 generated from the route schemas', async () => {
    const res = await t.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.rootKey).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    const createKey = doc.paths['/v1/keys'].post;
    expect(createKey.security).toEqual([{ rootKey: [] }]);
    const named = (schema: { $ref: string }) =>
      doc.components.schemas[schema.$ref.split('/').pop() as string];
    const body = named(createKey.requestBody.content['application/json'].schema);
    expect(body.required).toEqual(['apiId']);
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['permissions', 'roles', 'ratelimits', 'credits', 'allowedIps', 'externalId']),
    );
    expect(createKey.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]),
    );
    expect(Object.keys(createKey.responses)).toEqual(expect.arrayContaining(['201', '4XX', '5XX']));
    const verify = named(
      doc.paths['/v1/keys/verify'].post.responses['200'].content['application/json'].schema,
    );
    expect(Object.keys(verify.properties)).toEqual(
      expect.arrayContaining([
        'valid',
        'code',
        'keyId',
        'consumer',
        'permissions',
        'roles',
        'credits',
        'ratelimits',
        'meta',
        'expiresAt',
      ]),
    );
    expect(doc.paths['/v1/keys/{id}/roll']).toBeDefined();
    expect(doc.paths['/openapi.json']).toBeUndefined();
  });
});

describe('/docs', () => {
  it('serves the Swagger UI from bundled files only (works offline)', async () => {
    let res = await t.app.inject({ url: '/docs' });
    if (res.statusCode >= 300 && res.statusCode < 400) {
      res = await t.app.inject({ url: new URL(String(res.headers.location), 'http://local/docs').pathname });
    }
    if (!String(res.headers['content-type']).includes('html')) res = await t.app.inject({ url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const html = res.body;
    expect(html).not.toMatch(/(src|href)=["']https?:/);
    const assets = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const url = new URL(asset, 'http://local/docs/').pathname;
      const fetched = await t.app.inject({ url });
      expect({ url, status: fetched.statusCode }).toEqual({ url, status: 200 });
    }
  });
});

describe('/healthz and /readyz', () => {
  it('healthz answers while the process runs', async () => {
    const res = await t.app.inject({ url: '/healthz' });
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('readyz probes the store by default', async () => {
    const res = await t.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: 'up' } });
  });

  it('readyz answers 503 naming the dependency that is down', async () => {
    const app = await createTestApp({
      app: { readiness: async () => ({ database: 'up', redis: 'down' }) },
    });
    try {
      const res = await app.app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({
        status: 503,
        detail: expect.stringContaining('redis'),
        checks: { database: 'up', redis: 'down' },
      });
      const failing = await createTestApp();
      try {
        failing.store.ping = async () => {
          throw new Error('down');
        };
        expect((await failing.app.inject({ url: '/readyz' })).json().checks).toEqual({ database: 'down' });
      } finally {
        await failing.close();
      }
    } finally {
      await app.close();
    }
  });
});
