import http, { type IncomingMessage } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { call, startTestGateway, type TestGateway } from '../../src/gateway/testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from '../../src/gateway/testing/test-keys.js';
import { websocketAccept } from '../../src/gateway/websocket-tunnel.js';

/**
 * Request smuggling through the gateway: whatever the client sends, the upstream must only
 * ever receive requests the gateway matched and authorized. The upstream here is hostile
 * on purpose: it answers `101` to any upgrade (h2c included) and then records every byte it
 * gets, and records every request with the identity header the gateway adds. A request to
 * `/private` without `x-keyward-key-id` at the upstream is a smuggled one.
 *
 * Issue 10, defects 2 and 8: `Upgrade: h2c` on a public route was tunnelled and a raw
 * `GET /private` on the same connection reached the upstream; method-override headers and
 * double percent-encoding passed.
 */
interface Seen {
  method: string;
  url: string;
  identity: string | undefined;
  headers: http.IncomingHttpHeaders;
}

let fixture: KeyFixture;
let gw: TestGateway;
let base: string;
let gatewayPort: number;
let upstream: http.Server;
const seen: Seen[] = [];
/** Upgraded connections leave the server's books: closed by hand at the end. */
const switched = new Set<net.Socket>();
/** Bytes the upstream received on switched (tunnelled) connections. */
const tunnelled: string[] = [];
/** What the upstream answers to an upgrade: a correct WebSocket accept, or a careless 101. */
let acceptMode: 'correct' | 'careless' = 'careless';

const record = (req: IncomingMessage) =>
  seen.push({
    method: req.method ?? '',
    url: req.url ?? '',
    identity: req.headers['x-keyward-key-id'] as string | undefined,
    headers: req.headers,
  });

const smuggled = () => seen.filter((s) => s.url.startsWith('/private') && s.identity === undefined);

beforeAll(async () => {
  fixture = await createKeyFixture();
  upstream = http.createServer((req, res) => {
    record(req);
    req.resume();
    req.on('end', () =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers })),
    );
  });
  upstream.on('upgrade', (req: IncomingMessage, socket: net.Socket) => {
    switched.add(socket);
    record(req);
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept =
      acceptMode === 'correct' && key !== '' ? `Sec-WebSocket-Accept: ${websocketAccept(key)}\r\n` : '';
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${req.headers.upgrade}\r\n${accept}\r\n`,
    );
    socket.on('data', (chunk: Buffer) => tunnelled.push(chunk.toString('latin1')));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gw = await startTestGateway(
    fixture,
    `
upstreams: [{ url: "${upstreamUrl}" }]
routes:
  - { path: "/public/*", public: true }
  - { path: "/private/*" }
  - { path: /ws-public, public: true, websocket: true }
  - { path: /ws-private, websocket: true }
`,
    { throttle: false },
  );
  base = gw.gateway.url;
  gatewayPort = Number(new URL(base).port);
});
afterAll(async () => {
  for (const socket of switched) socket.destroy();
  await gw?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  await fixture?.close();
});

/** Writes raw bytes to the gateway and collects everything it answers until it closes (or 2 s pass). */
function raw(payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(gatewayPort, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(payload);
  });
}

const hidden = 'GET /private/secret HTTP/1.1\r\nHost: upstream\r\n\r\n';
const statusOf = (answer: string): number => Number(answer.slice(9, 12));

describe('Upgrade tokens', () => {
  it('h2c on a public route is served as plain HTTP; the request behind it never reaches the upstream', async () => {
    const answer = await raw(
      'GET /public/x HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n' +
        `HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n${hidden}`,
    );
    expect(statusOf(answer)).toBe(200);
    const forwarded = seen.filter((s) => s.url === '/public/x').at(-1);
    expect(forwarded?.headers.upgrade).toBeUndefined();
    expect(forwarded?.headers['http2-settings']).toBeUndefined();
    // The connection closed after one answer: no second response, nothing tunnelled.
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(tunnelled.join('')).not.toContain('/private');
    expect(smuggled()).toEqual([]);
  });

  it('any other token (websocket with another, foo, a WebSocket handshake without a key) likewise', async () => {
    for (const headers of [
      'Connection: Upgrade\r\nUpgrade: foo/1\r\n',
      'Connection: Upgrade\r\nUpgrade: websocket, h2c\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n',
    ]) {
      const answer = await raw(`GET /ws-public HTTP/1.1\r\nHost: gw\r\n${headers}\r\n${hidden}`);
      expect({ headers, status: statusOf(answer) }).toEqual({ headers, status: 200 });
    }
    expect(tunnelled.join('')).not.toContain('/private');
    expect(smuggled()).toEqual([]);
  });

  it('a WebSocket handshake on a route without websocket: true is plain HTTP too', async () => {
    const answer = await raw(
      'GET /public/ws HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n${hidden}`,
    );
    expect(statusOf(answer)).toBe(200);
    expect(seen.filter((s) => s.url === '/public/ws').at(-1)?.headers.upgrade).toBeUndefined();
    expect(smuggled()).toEqual([]);
  });

  it('an upgrade with a body is refused (the body could not be framed)', async () => {
    const before = seen.length;
    const answer = await raw(
      `POST /public/x HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`,
    );
    expect(statusOf(answer)).toBe(400);
    expect(seen.length).toBe(before);
  });

  it('a 101 without the right Sec-WebSocket-Accept is never spliced (502)', async () => {
    acceptMode = 'careless';
    const answer = await raw(
      'GET /ws-public HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n${hidden}`,
    );
    expect(statusOf(answer)).toBe(502);
    expect(tunnelled.join('')).not.toContain('/private');
    expect(smuggled()).toEqual([]);
  });

  it('a WebSocket route checks the key first, then tunnels a genuine handshake', async () => {
    acceptMode = 'correct';
    const denied = await raw(
      'GET /ws-private HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(statusOf(denied)).toBe(401);
    const { key } = await fixture.issue();
    const socket = new WebSocket(`${base.replace('http', 'ws')}/ws-private`, {
      headers: { authorization: `Bearer ${key}` },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.terminate();
    const handshake = seen.filter((s) => s.url === '/ws-private').at(-1);
    expect(handshake?.identity).toMatch(/^key_/);
  });
});

describe('framing ambiguities (TE/CL, obs-fold, duplicates)', () => {
  const cases: Array<[string, string]> = [
    [
      'CL.TE',
      `POST /public/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${hidden}`,
    ],
    [
      'TE.CL',
      `POST /public/x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n${hidden}\r\n0\r\n\r\n`,
    ],
    [
      'TE obfuscated',
      `POST /public/x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: xchunked\r\nContent-Length: 4\r\n\r\nabcd${hidden}`,
    ],
    [
      'TE obs-fold',
      `POST /public/x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 4\r\n\r\nabcd${hidden}`,
    ],
    ['header obs-fold', `GET /public/x HTTP/1.1\r\nHost: gw\r\nX-Folded: a\r\n b\r\n\r\n${hidden}`],
    [
      'two Content-Length',
      `POST /public/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd${hidden}`,
    ],
    [
      'space before colon',
      `POST /public/x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\nabcd${hidden}`,
    ],
    ['bare LF', `GET /public/x HTTP/1.1\nHost: gw\n\n${hidden}`],
  ];

  it.each(cases)('%s: refused, or one request forwarded and nothing smuggled', async (_name, payload) => {
    const answer = await raw(payload);
    const status = statusOf(answer);
    expect([200, 400]).toContain(status);
    expect(smuggled()).toEqual([]);
  });
});

describe('method overrides and double encoding', () => {
  it('no method-override header reaches the upstream', async () => {
    const { key } = await fixture.issue();
    const res = await call(`${base}/private/x`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'x-http-method-override': 'DELETE',
        'x-http-method': 'DELETE',
        'x-method-override': 'DELETE',
      },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const echoed = res.json() as { method: string; headers: Record<string, string> };
    expect(echoed.method).toBe('POST');
    for (const name of ['x-http-method-override', 'x-http-method', 'x-method-override'])
      expect(echoed.headers[name]).toBeUndefined();
  });

  it('a `_method` query parameter is refused', async () => {
    const before = seen.length;
    for (const query of ['_method=DELETE', 'a=1&_METHOD=PUT', '%5Fmethod=PATCH']) {
      const res = await call(`${base}/public/x?${query}`, { method: 'POST', body: '' });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    expect(seen.length).toBe(before);
  });

  it('double percent-encoding is refused before any upstream sees it', async () => {
    const before = seen.length;
    for (const path of [
      '/public/%252e%252e/private/x',
      '/public/%252E%252E%252Fprivate',
      '/public/priv%2561te',
      '/public/a%25252e',
    ]) {
      const res = await call(`${base}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(seen.length).toBe(before);
    expect((await call(`${base}/public/caf%C3%A9`)).status).toBe(200);
  });
});
