import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** A one-shot signal a test opens to let the upstream go on (proves streaming: nothing waits for the end). */
export interface Gate {
  wait(): Promise<void>;
  open(): void;
}

export function createGate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait: () => opened, open };
}

/** Deterministic content: byte i of a download is `i % 251`. */
export const patternChunk = (offset: number, length: number): Buffer => {
  const chunk = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) chunk[i] = (offset + i) % 251;
  return chunk;
};

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface TestUpstream {
  readonly url: string;
  /** Every request (and WebSocket handshake) received, in order. */
  readonly seen: SeenRequest[];
  /** Status `/healthz` answers; set to 500 to fail health checks. */
  healthStatus: number;
  /** Gates the streaming routes wait on; replace them per test. */
  gates: { sse: Gate; download: Gate; uploadStarted: Gate };
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback that plays the upstream API in gateway tests and
 * benchmarks: `/echo` (the request as JSON), `/hello` (a small JSON answer), `/upload`
 * (sha-256 of a streamed body), `/download?bytes=N`, `/sse`, `/slow?ms=N`, `/healthz`,
 * and a WebSocket echo on `/ws`.
 */
export async function startTestUpstream(name = 'upstream'): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  const state: TestUpstream = {
    url: '',
    seen,
    healthStatus: 200,
    gates: { sse: createGate(), download: createGate(), uploadStarted: createGate() },
    close: async () => undefined,
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res
      .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      .end(text);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname !== '/healthz')
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    switch (url.pathname) {
      case '/healthz':
        return json(res, state.healthStatus, { ok: state.healthStatus < 400 });
      case '/hello':
        return json(res, 200, { hello: name });
      case '/slow': {
        const timer = setTimeout(
          () => json(res, 200, { slow: true }),
          Number(url.searchParams.get('ms') ?? 1000),
        );
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case '/upload': {
        const hash = createHash('sha256');
        let bytes = 0;
        req.on('data', (chunk: Buffer) => {
          if (bytes === 0) state.gates.uploadStarted.open();
          bytes += chunk.length;
          hash.update(chunk);
        });
        req.on('end', () => json(res, 200, { bytes, sha256: hash.digest('hex') }));
        return;
      }
      case '/download':
        return void download(res, Number(url.searchParams.get('bytes') ?? 0), state.gates.download);
      case '/sse':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('data: one\n\n');
        void state.gates.sse.wait().then(() => res.end('data: two\n\n'));
        return;
      default:
        if (url.pathname.startsWith('/echo')) {
          const body: Buffer[] = [];
          req.on('data', (chunk: Buffer) => body.push(chunk));
          req.on('end', () =>
            json(res, 200, {
              name,
              method: req.method,
              url: req.url,
              headers: req.headers,
              body: Buffer.concat(body).toString(),
            }),
          );
          return;
        }
        return json(res, 404, { error: 'not found' });
    }
  });
  const sockets = new WebSocketServer({
    server,
    path: '/ws',
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  sockets.on('connection', (socket, req) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    socket.on('message', (data, isBinary) => socket.send(isBinary ? data : `echo:${data.toString()}`));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Writes `total` pattern bytes: 1 MiB first, then waits for the gate, then the rest with back-pressure. */
async function download(res: http.ServerResponse, total: number, gate: Gate): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
  const chunkSize = 1 << 20;
  let offset = 0;
  while (offset < total) {
    const length = Math.min(chunkSize, total - offset);
    const ok = res.write(patternChunk(offset, length));
    offset += length;
    if (offset === length) await gate.wait();
    else if (!ok) await new Promise((resolve) => res.once('drain', resolve));
    if (res.destroyed) return;
  }
  res.end();
}
