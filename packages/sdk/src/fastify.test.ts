import { describe, expect, it } from 'vitest';
import { buildFastifyHookApp, buildFastifyPluginApp } from './testing/fastify-app.js';
import { describeMiddleware } from './testing/scenarios.js';

describeMiddleware('fastify plugin', buildFastifyPluginApp);
describeMiddleware('fastify hook', buildFastifyHookApp);

describe('keywardPlugin scope', () => {
  it('leaves a route with config.keyward = false open, without an identity', async () => {
    const { default: Fastify } = await import('fastify');
    const { keywardPlugin } = await import('./fastify.js');
    const { localVerifier } = await import('./local-verifier.js');
    const app = Fastify();
    await app.register(keywardPlugin, {
      verifier: localVerifier({ verifyKey: async () => Promise.reject(new Error('unused')) }),
    });
    app.get('/open', { config: { keyward: false } }, async (request) => ({
      identity: request.keyward ?? null,
    }));
    app.get('/closed', async () => ({ reached: true }));
    const open = await app.inject({ url: '/open' });
    expect(open.statusCode).toBe(200);
    expect(open.json()).toEqual({ identity: null });
    expect((await app.inject({ url: '/closed' })).statusCode).toBe(401);
    await app.close();
  });

  it('protects the HEAD route Fastify adds for a GET with the same options, checked once', async () => {
    const { default: Fastify } = await import('fastify');
    const { keywardPlugin } = await import('./fastify.js');
    const { createKeywardFixture } = await import('./testing/fixture.js');
    const fx = await createKeywardFixture();
    const app = Fastify();
    try {
      await app.register(keywardPlugin, { verifier: fx.local, now: fx.clock.now });
      app.get('/sessions', { config: { keyward: { permissions: 'sessions:read' } } }, async () => ({
        ok: true,
      }));
      const reader = await fx.issue({
        permissions: ['sessions:read'],
        ratelimits: [{ name: 'per-minute', limit: 10, duration: 60_000 }],
      });
      const other = await fx.issue({ permissions: ['stations:read'] });
      const head = (key: string) =>
        app.inject({ method: 'HEAD', url: '/sessions', headers: { authorization: `Bearer ${key}` } });
      expect((await head(other.key)).statusCode).toBe(403);
      expect((await head(reader.key)).headers.ratelimit).toMatch(/^"per-minute";r=9;/);
      const get = await app.inject({ url: '/sessions', headers: { authorization: `Bearer ${reader.key}` } });
      expect(get.headers.ratelimit).toMatch(/^"per-minute";r=8;/);
    } finally {
      await app.close();
      await fx.close();
    }
  });
});
