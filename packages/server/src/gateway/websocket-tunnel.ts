import http, { type IncomingHttpHeaders, type IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/**
 * WebSocket (and any other HTTP/1.1 `Upgrade`) pass-through. An upgrade request goes
 * through the gateway's normal Fastify routing, so it is matched, authenticated and
 * answered (401, 403, 429, 404, ...) exactly like any request; once allowed, the gateway
 * replays the handshake to the upstream and, on `101`, splices the two sockets together.
 * Frames are never parsed: subprotocols, extensions and compression are negotiated end to
 * end between client and upstream.
 */

interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
}

const pending = new WeakMap<IncomingMessage, PendingUpgrade>();

/** Routes `upgrade` events of the app's server through Fastify (call once, before listen). */
export function acceptUpgrades(app: FastifyInstance): void {
  app.server.on('upgrade', (raw: IncomingMessage, socket: Duplex, head: Buffer) => {
    pending.set(raw, { socket, head });
    const response = new ServerResponse(raw);
    response.assignSocket(socket as unknown as import('node:net').Socket);
    // An answer given over HTTP (a denial, a refused upgrade) ends the connection.
    response.on('finish', () => socket.destroy());
    app.routing(raw, response);
  });
}

/** True when the request asks to switch protocols (and came through `acceptUpgrades`). */
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
