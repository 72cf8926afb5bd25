import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/**
 * WebSocket pass-through, and nothing else. Node hands every request with an `Upgrade`
 * header to the `upgrade` event; each goes through the gateway's normal Fastify routing, so
 * it is matched, authenticated and answered (401, 403, 429, 404, ...) exactly like any
 * request. Only a well-formed WebSocket handshake (GET, `Upgrade: websocket`, a valid
 * `Sec-WebSocket-Key`, version 13, no body) on a route with `websocket: true` is tunnelled:
 * the gateway replays it upstream and splices the sockets only on a `101` that switches to
 * WebSocket with the right `Sec-WebSocket-Accept`. Any other upgrade (`h2c`, a WebSocket
 * handshake elsewhere) is served as plain HTTP without the `Upgrade`, and the connection is
 * closed after the answer: nothing the client sends after its request is ever read, so it
 * cannot smuggle a second, unauthenticated request through a tunnel (h2c smuggling).
 * Frames are never parsed: subprotocols, extensions and compression are negotiated end to
 * end between client and upstream.
 */

interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
}

const pending = new WeakMap<IncomingMessage, PendingUpgrade>();

/** RFC 6455 §1.3: the GUID the accept value is derived with. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Base64 of 16 bytes. */
const WEBSOCKET_KEY = /^[A-Za-z0-9+/]{22}==$/;

const tokens = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');

/** Headers that announce a request body. */
export const declaresBody = (raw: IncomingMessage): boolean =>
  raw.headers['transfer-encoding'] !== undefined || (raw.headers['content-length'] ?? '0') !== '0';

/** A well-formed RFC 6455 opening handshake, and nothing more. */
export function isWebSocketHandshake(raw: IncomingMessage): boolean {
  const upgrade = tokens(raw.headers.upgrade);
  const key = raw.headers['sec-websocket-key'];
  return (
    raw.method === 'GET' &&
    raw.httpVersion === '1.1' &&
    upgrade.length === 1 &&
    upgrade[0] === 'websocket' &&
    tokens(raw.headers.connection).includes('upgrade') &&
    typeof key === 'string' &&
    WEBSOCKET_KEY.test(key) &&
    raw.headers['sec-websocket-version'] === '13' &&
    !declaresBody(raw)
  );
}

/** The `Sec-WebSocket-Accept` an upstream must answer to `key`. */
export const websocketAccept = (key: string): string =>
  createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');

const refuseBody = (response: ServerResponse): void => {
  const body = JSON.stringify({
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'Refused: a request asking to switch protocols cannot carry a body here.',
  });
  response.writeHead(400, {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
};

/** Routes `upgrade` events of the app's server through Fastify (call once, before listen). */
export function acceptUpgrades(app: FastifyInstance): void {
  app.server.on('upgrade', (raw: IncomingMessage, socket: Duplex, head: Buffer) => {
    const response = new ServerResponse(raw);
    response.shouldKeepAlive = false;
    response.assignSocket(socket as unknown as import('node:net').Socket);
    // One answer per connection: whatever follows the request on this socket is never parsed.
    response.on('finish', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    if (isWebSocketHandshake(raw)) pending.set(raw, { socket, head });
    // The parser has let go of this connection, so a body could not be read (nor framed) safely.
    else if (declaresBody(raw)) return refuseBody(response);
    app.routing(raw, response);
  });
}

/** True when the request is a WebSocket handshake (and came through `acceptUpgrades`). */
export const isUpgrade = (raw: IncomingMessage): boolean => pending.has(raw);

export type TunnelResult =
  /** The upstream switched protocols; the sockets are joined until either side closes. */
  | { kind: 'open' }
  /** The upstream answered without switching: forward that answer. */
  | { kind: 'refused'; response: IncomingMessage }
  | { kind: 'failed'; timeout: boolean; error: Error };

export interface TunnelOptions {
  /** `http://host:port` of the chosen upstream. */
  origin: string;
  /** Base path + request target, as sent upstream. */
  path: string;
  /** Forwarded request headers (identity added, key removed). */
  headers: IncomingHttpHeaders;
  /** Extra headers for the `101` (RateLimit...). */
  responseHeaders: Readonly<Record<string, string>>;
  /** How long the upstream may take to answer the handshake. */
  timeoutMs: number;
  /** Every open tunnel is added here and removed when it closes (for shutdown). */
  open: Set<Duplex>;
  /** Called right before the gateway writes the `101` itself (the reply must be hijacked). */
  onSwitch: () => void;
}

/** Replays the handshake upstream and, on `101`, splices the sockets. */
export function openTunnel(raw: IncomingMessage, options: TunnelOptions): Promise<TunnelResult> {
  const client = pending.get(raw);
  if (!client)
    return Promise.resolve({ kind: 'failed', timeout: false, error: new Error('not an upgrade request') });
  const { origin, path, headers, responseHeaders, timeoutMs, open, onSwitch } = options;
  const url = new URL(origin);
  const transport = url.protocol === 'https:' ? https : http;

  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: TunnelResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    const upstreamRequest = transport.request({
      host: url.hostname,
      port: url.port,
      method: raw.method,
      path,
      headers: { ...headers, connection: 'Upgrade', upgrade: raw.headers.upgrade },
      agent: false,
    });
    upstreamRequest.setTimeout(timeoutMs, () => {
      upstreamRequest.destroy();
      settle({
        kind: 'failed',
        timeout: true,
        error: new Error('upstream did not answer the handshake in time'),
      });
    });
    upstreamRequest.on('error', (error) => settle({ kind: 'failed', timeout: false, error }));
    upstreamRequest.on('response', (response) => settle({ kind: 'refused', response }));
    upstreamRequest.on('upgrade', (response, upstream, upstreamHead) => {
      if (settled || client.socket.destroyed) {
        upstream.destroy();
        return;
      }
      // A 101 that is not this WebSocket handshake's (another protocol, a wrong accept) is
      // never spliced: the client could then talk raw HTTP to the upstream past every check.
      const accept = response.headers['sec-websocket-accept'];
      const key = raw.headers['sec-websocket-key'] as string;
      if (tokens(response.headers.upgrade).join(',') !== 'websocket' || accept !== websocketAccept(key)) {
        upstream.destroy();
        settle({
          kind: 'failed',
          timeout: false,
          error: new Error('the upstream switched protocols without a valid WebSocket answer'),
        });
        return;
      }
      onSwitch();
      splice(client, upstream, upstreamHead, switchingHead(response, responseHeaders), open);
      settle({ kind: 'open' });
    });
    upstreamRequest.end();
  });
}

/** The `101` as the upstream sent it (raw header names and order), plus the gateway's headers. */
function switchingHead(response: IncomingMessage, extra: Readonly<Record<string, string>>): string {
  const lines = [`HTTP/1.1 101 ${response.statusMessage || 'Switching Protocols'}`];
  for (let i = 0; i + 1 < response.rawHeaders.length; i += 2)
    lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
  for (const [name, value] of Object.entries(extra)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function splice(
  client: PendingUpgrade,
  upstream: Duplex,
  upstreamHead: Buffer,
  head: string,
  open: Set<Duplex>,
): void {
  const { socket } = client;
  for (const s of [socket, upstream]) {
    const net = s as Partial<import('node:net').Socket>;
    net.setTimeout?.(0);
    net.setNoDelay?.(true);
  }
  open.add(socket);
  const close = () => {
    open.delete(socket);
    socket.destroy();
    upstream.destroy();
  };
  socket.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
  socket.write(head);
  if (upstreamHead.length > 0) socket.write(upstreamHead);
  if (client.head.length > 0) upstream.write(client.head);
  socket.pipe(upstream).pipe(socket);
}
