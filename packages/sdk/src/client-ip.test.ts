import http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyward as expressKeyward } from './express.js';
import { keywardHook } from './fastify.js';
import { createKeywardFixture, type KeywardFixture } from './testing/fixture.js';
import { closeServer, listen } from './testing/test-app.js';

/**
 * The client address comes from the framework's own trusted-proxy setting: a forged
 * X-Forwarded-For never unlocks an IP allow-list unless the app trusts the hop it came from.
 */
describe('client address for IP allow-lists', () => {
  let fx: KeywardFixture;
  let key: string;

  beforeAll(async () => {
    fx = await createKeywardFixture();
    key = (await fx.issue({ allowedIps: ['192.0.2.0/24'] })).key;
  });
  afterAll(async () => {
    await fx?.close();
  });

  const forwarded = (k: string) => ({ authorization: `Bearer ${k}`, 'x-forwarded-for': '192.0.2.10' });

  it.each([false, true])('Express with trust proxy = %s', async (trust) => {
    const app = express();
    app.set('trust proxy', trust);
    app.get('/x', expressKeyward({ verifier: fx.local, throttle: false }), (_req, res) => {
      res.json({ ok: true });
    });
    const server = http.createServer(app);
    await listen(server);
    try {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const res = await fetch(`http://127.0.0.1:${port}/x`, { headers: forwarded(key) });
      expect(res.status).toBe(trust ? 200 : 403);
    } finally {
      await closeServer(server);
    }
  });

  it.each([false, true])('Fastify with trustProxy = %s', async (trustProxy) => {
    const app = Fastify({ trustProxy });
    app.get('/x', { onRequest: keywardHook({ verifier: fx.local, throttle: false }) }, async () => ({
      ok: true,
    }));
    try {
      const res = await app.inject({ url: '/x', headers: forwarded(key), remoteAddress: '10.0.0.1' });
      expect(res.statusCode).toBe(trustProxy ? 200 : 403);
    } finally {
      await app.close();
    }
  });
});
