import { rm } from 'node:fs/promises';
import http from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createEngine } from '@keyward/core';
import { keyward as expressKeyward } from '@keyward/sdk/express';
import { keywardHook } from '@keyward/sdk/fastify';
import { keyward as honoKeyward, type KeywardEnv } from '@keyward/sdk/hono';
import { localVerifier } from '@keyward/sdk/local';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { benchKey, benchStore } from './fixtures.js';

/**
 * One framework app under benchmark, in its own process: `GET /bare/stations/:id` without
 * keyward and `GET /keyward/stations/:id` behind the SDK middleware in local mode (the
 * engine on a SQLite file, a key with a permission and a rate limit). argv[2] is
 * `express`, `fastify` or `hono`; prints `{"url", "key"}` once listening.
 */
const framework = process.argv[2];
const ctx = await benchStore();
const engine = createEngine({ store: ctx.store });
const { key } = await benchKey(ctx, engine, {
  permissions: ['stations:read'],
  // Checked on every request, never reached: the row measures checking, not refusing.
  ratelimits: [{ name: 'requests', limit: 1e12, duration: 60_000, algorithm: 'sliding_window' }],
});
const options = {
  verifier: localVerifier(engine),
  apiId: ctx.apiId,
  permissions: 'stations:read',
  ratelimits: [{ name: 'requests' }],
};
const station = (id: string) => ({ id, name: 'Berlin Hauptbahnhof', connectors: 2 });

let server: http.Server;
let stop: () => Promise<void>;
if (framework === 'express') {
  const app = express();
  app.get('/bare/stations/:id', (req, res) => {
    res.json(station(String(req.params.id)));
  });
  app.get('/keyward/stations/:id', expressKeyward(options), (req, res) => {
    res.json(station(String(req.params.id)));
  });
  server = http.createServer(app);
  stop = () => new Promise((resolve) => server.close(() => resolve()));
} else if (framework === 'fastify') {
  const app = Fastify();
  app.get<{ Params: { id: string } }>('/bare/stations/:id', async (request) => station(request.params.id));
  app.get<{ Params: { id: string } }>(
    '/keyward/stations/:id',
    { onRequest: keywardHook(options) },
    async (request) => station(request.params.id),
  );
  await app.ready();
  server = app.server;
  stop = () => app.close();
} else if (framework === 'hono') {
  const app = new Hono<KeywardEnv>();
  app.get('/bare/stations/:id', (c) => c.json(station(c.req.param('id'))));
  app.get('/keyward/stations/:id', honoKeyward(options), (c) => c.json(station(c.req.param('id'))));
  server = createAdaptorServer({ fetch: app.fetch }) as http.Server;
  stop = () => new Promise((resolve) => server.close(() => resolve()));
} else {
  throw new Error('usage: middleware-server.ts express|fastify|hono');
}

await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('not on a TCP port');
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}`, key })}\n`);

process.on('SIGTERM', () => {
  void (async () => {
    server.closeAllConnections();
    await stop();
    await engine.close();
    await ctx.store.close();
    await rm(ctx.dir, { recursive: true, force: true });
    process.exit(0);
  })();
});
