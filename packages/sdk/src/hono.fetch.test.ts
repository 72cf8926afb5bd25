import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeywardEnv, keyward } from './hono.js';
import { createKeywardFixture, type KeywardFixture } from './testing/fixture.js';

/** Hono on the Fetch path (`app.request`, other runtimes): no Node request underneath. */
describe('hono middleware without @hono/node-server', () => {
  let fx: KeywardFixture;
  let app: Hono<KeywardEnv>;

  beforeAll(async () => {
    fx = await createKeywardFixture();
    app = new Hono<KeywardEnv>();
    const guard = keyward({
      verifier: fx.local,
      realm: 'edge',
      getClientIp: (c) => c.req.header('x-test-peer'),
      now: fx.clock.now,
    });
    app.get('/json', guard, (c) => c.json({ keyId: c.get('keyward').keyId }));
    // A handler that builds its own Response: the RateLimit headers must still reach the client.
    app.get('/raw', guard, () => new Response('raw', { headers: { 'content-type': 'text/plain' } }));
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('verifies, hands the identity over and sets the RateLimit headers on any response', async () => {
    const issued = await fx.issue({ ratelimits: [{ name: 'burst', limit: 5, duration: 1_000 }] });
    const headers = { authorization: `Bearer ${issued.key}` };
    const json = await app.request('/json', { headers });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ keyId: issued.id });
    // One unit used: whole again at the end of the next window, 1-2 s away.
    expect(json.headers.get('ratelimit')).toMatch(/^"burst";r=4;t=[12]$/);
    const raw = await app.request('/raw', { headers });
    expect(await raw.text()).toBe('raw');
    expect(raw.headers.get('ratelimit-policy')).toBe('"burst";q=5;w=1');
  });

  it('tells two joined Authorization lines from one value', async () => {
    const issued = await fx.issue();
    const twice = new Headers();
    twice.append('authorization', `Bearer ${issued.key}`);
    twice.append('authorization', `Bearer ${issued.key}`);
    expect((await app.request('/json', { headers: twice })).status).toBe(400);
    expect((await app.request('/json', { headers: { authorization: 'Bearer a,b' } })).status).toBe(401);
  });

  it('passes the address from getClientIp to the allow-list', async () => {
    const issued = await fx.issue({ allowedIps: ['203.0.113.0/24'] });
    const from = (peer: string) =>
      app.request('/json', { headers: { authorization: `Bearer ${issued.key}`, 'x-test-peer': peer } });
    expect((await from('203.0.113.8')).status).toBe(200);
    expect((await from('198.51.100.8')).status).toBe(403);
  });
});
