import http from 'node:http';
import { createEngine } from '@keyward/core';
import { buildApp, issueRootKey } from '@keyward/server';
import Fastify from 'fastify';
import { benchKey, benchStore } from './fixtures.js';

/**
 * One server under benchmark, in its own process. argv[2] = `keyward`: the real app on a
 * SQLite file with a root key and a valid key; prints `{ url, rootKey, key, body }` where
 * `body` is the JSON a verification answers. argv[2] = `bare`, argv[3] = that JSON: a bare
 * `node:http` server that answers every POST with it; prints `{ url }`. argv[2] = `fastify`,
 * argv[3] = that JSON: a bare Fastify route answering it; prints `{ url }`.
 */
const mode = process.argv[2];
if (mode === 'bare') {
  const body = process.argv[3] ?? '{}';
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}` }));
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
} else if (mode === 'fastify') {
  // The framework's floor: a Fastify route answering the same JSON, parsing the body and
  // nothing else (no schema, no hooks, no authentication).
  const body = process.argv[3] ?? '{}';
  const app = Fastify();
  app.post('/v1/keys/verify', async (_request, reply) => {
    reply.header('content-type', 'application/json; charset=utf-8');
    return body;
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(JSON.stringify({ url }));
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
} else {
  const ctx = await benchStore();
  const engine = createEngine({ store: ctx.store });
  const { plaintext: rootKey } = await issueRootKey(
    { store: ctx.store, engine },
    { workspaceId: ctx.workspaceId, permissions: ['keys:verify'] },
  );
  const { key } = await benchKey(ctx, engine);
  const app = await buildApp({ store: ctx.store, engine, docs: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const reply = await fetch(`${url}/v1/keys/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  });
  const body = await reply.text();
  console.log(JSON.stringify({ url, rootKey, key, body }));
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}
