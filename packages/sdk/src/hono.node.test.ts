import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeywardEnv, keyward } from './hono.js';
import { createKeywardFixture, type KeywardFixture } from './testing/fixture.js';
import { closeServer, listen } from './testing/test-app.js';

/**
 * Hono on @hono/node-server: the RateLimit headers go onto the Node response (not the
 * context), so they must reach the client whatever the route answers, once each, and a
 * route's own header of the same name must win.
 */
describe('hono middleware on @hono/node-server', () => {
  let fx: KeywardFixture;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    fx = await createKeywardFixture();
    const app = new Hono<KeywardEnv>();
    const guard = keyward({ verifier: fx.local, now: fx.clock.now });
    app.get('/json', guard, (c) => c.json({ keyId: c.get('keyward').keyId }));
    app.get('/raw', guard, () => new Response('raw', { headers: { 'content-type': 'text/plain' } }));
    app.get('/own', guard, (c) => c.json({ own: true }, 200, { ratelimit: 'set-by-the-route' }));
    app.get('/context', guard, (c) => {
      c.header('x-route', 'yes');
      return c.text('context');
    });
    server = createAdaptorServer({ fetch: app.fetch }) as http.Server;
    await listen(server);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (server !== undefined) await closeServer(server);
    await fx?.close();
  });

  it('sets the RateLimit headers once on every kind of response; the route’s own header wins', async () => {
    const issued = await fx.issue({ ratelimits: [{ name: 'burst', limit: 5, duration: 1_000 }] });
    const headers = { authorization: `Bearer ${issued.key}` };
    const json = await fetch(`${base}/json`, { headers });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ keyId: issued.id });
    expect(json.headers.get('ratelimit')).toMatch(/^"burst";r=4;t=[12]$/);
    expect(json.headers.get('ratelimit-policy')).toBe('"burst";q=5;w=1');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);

    const raw = await fetch(`${base}/raw`, { headers });
    expect(await raw.text()).toBe('raw');
    expect(raw.headers.get('ratelimit')).toMatch(/^"burst";r=3;t=[12]$/);
    expect(raw.headers.get('content-type')).toBe('text/plain');

    const own = await fetch(`${base}/own`, { headers });
    expect(own.headers.get('ratelimit')).toBe('set-by-the-route');
    expect(own.headers.get('ratelimit-policy')).toBe('"burst";q=5;w=1');

    const context = await fetch(`${base}/context`, { headers });
    expect(await context.text()).toBe('context');
    expect(context.headers.get('x-route')).toBe('yes');
    expect(context.headers.get('ratelimit')).toMatch(/^"burst";r=1;t=[12]$/);
  });

  it('sends no RateLimit headers for a key without limits, and denials unchanged', async () => {
    const issued = await fx.issue();
    const ok = await fetch(`${base}/json`, { headers: { authorization: `Bearer ${issued.key}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit')).toBeNull();
    const denied = await fetch(`${base}/json`, { headers: { authorization: 'Bearer nope' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(denied.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
