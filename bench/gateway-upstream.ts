import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The upstream every gateway benchmark row talks to, in its own process so that it does not
 * share an event loop with the gateway or the load generator: a small JSON answer to any
 * path. Prints `{"url": ...}` on stdout once listening; exits on SIGTERM.
 */
const body = JSON.stringify({ id: 'st_1', name: 'Alexanderplatz', connectors: 4, available: true });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
