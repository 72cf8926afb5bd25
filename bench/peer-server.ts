import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBetterAuthPeer } from './peers.js';

/**
 * Better Auth's api-key verify behind a minimal `node:http` route, in its own process (the
 * peer of `http-server.ts keyward`): POST with `{ "key": ... }` answers 200 with
 * `{ "valid": true }` or 401. argv[2]: SQLite `synchronous` (FULL or NORMAL). Prints `{ url, key }`.
 */
const synchronous = process.argv[2] === 'NORMAL' ? 'NORMAL' : 'FULL';
const peer = await loadBetterAuthPeer({
  file: join(mkdtempSync(join(tmpdir(), 'keyward-peer-')), 'better-auth.db'),
  synchronous,
});
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { key } = JSON.parse(Buffer.concat(chunks).toString()) as { key: string };
    peer.verifyKey(key).then(
      (valid) => {
        const body = JSON.stringify({ valid });
        res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json; charset=utf-8' });
        res.end(body);
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}`, key: peer.key }));
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
