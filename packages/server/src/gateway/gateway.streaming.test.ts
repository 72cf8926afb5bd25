import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from './testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from './testing/test-keys.js';
import { createGate, patternChunk, startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

const MIB = 1 << 20;
const LARGE = 50 * MIB;

let fixture: KeyFixture;
let upstream: TestUpstream;
let gw: TestGateway;
let key: string;
let keyId: string;

beforeAll(async () => {
  fixture = await createKeyFixture();
  upstream = await startTestUpstream();
  gw = await startTestGateway(
    fixture,
    `upstreams: [{ url: "${upstream.url}" }]
routes:
  - { methods: [POST], path: /upload }
  - { methods: [GET], path: /download }
  - { methods: [GET], path: /sse }
  - { methods: [GET], path: /ws, websocket: true }
  - { methods: [GET], path: /not-ws, public: true, websocket: true }
`,
  );
  ({ key, id: keyId } = await fixture.issue({ permissions: ['stations:read'] }));
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await fixture?.close();
});

const patternHash = (total: number): string => {
  const hash = createHash('sha256');
  for (let offset = 0; offset < total; offset += MIB)
    hash.update(patternChunk(offset, Math.min(MIB, total - offset)));
  return hash.digest('hex');
};

describe('gateway: streaming', () => {
  it('streams a 50 MiB upload: the upstream sees the first bytes before the client has sent the rest', async () => {
    upstream.gates.uploadStarted = createGate();
    const gate = upstream.gates.uploadStarted;
    async function* body() {
      yield patternChunk(0, MIB);
      // A gateway that buffered the body would never forward this first chunk alone: deadlock, test fails.
      await gate.wait();
      for (let offset = MIB; offset < LARGE; offset += MIB) yield patternChunk(offset, MIB);
    }
    const response = await request(`${gw.gateway.url}/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
      body: Readable.from(body()),
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ bytes: LARGE, sha256: patternHash(LARGE) });
  });

  it('streams a 50 MiB download: the client reads the first bytes before the upstream has written the rest', async () => {
    upstream.gates.download = createGate();
    const response = await request(`${gw.gateway.url}/download?bytes=${LARGE}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(LARGE));
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of response.body) {
      if (bytes === 0) upstream.gates.download.open();
      bytes += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    expect(bytes).toBe(LARGE);
    expect(hash.digest('hex')).toBe(patternHash(LARGE));
  });

  it('passes server-sent events through one at a time', async () => {
    upstream.gates.sse = createGate();
    const response = await request(`${gw.gateway.url}/sse`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const received: string[] = [];
    for await (const chunk of response.body) {
      received.push((chunk as Buffer).toString());
      // The second event is only written once the first one has arrived here.
      if (received.length === 1) upstream.gates.sse.open();
    }
    expect(received[0]).toBe('data: one\n\n');
    expect(received.join('')).toBe('data: one\n\ndata: two\n\n');
  });
});

describe('gateway: WebSocket', () => {
  it('passes the handshake and frames through, with the identity and without the key', async () => {
    const socket = new WebSocket(`${gw.gateway.url.replace('http', 'ws')}/ws`, ['chat.v1'], {
      headers: { authorization: `Bearer ${key}`, 'x-keyward-key-id': 'key_spoofed' },
    });
    const opened = new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await opened;
    expect(socket.protocol).toBe('chat.v1');
    const replies: string[] = [];
    const two = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        replies.push(data.toString());
        if (replies.length === 2) resolve();
      }),
    );
    socket.send('hello');
    socket.send('again');
    await two;
    expect(replies).toEqual(['echo:hello', 'echo:again']);
    socket.close();
    const handshake = upstream.seen.filter((r) => r.url === '/ws').at(-1);
    expect(handshake?.headers.authorization).toBeUndefined();
    expect(handshake?.headers['x-keyward-key-id']).toBe(keyId);
  });

  it('refuses a handshake without a key with the same 401 as any request', async () => {
    const socket = new WebSocket(`${gw.gateway.url.replace('http', 'ws')}/ws`);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      socket.once('unexpected-response', (_request, res) => resolve(res));
      socket.once('open', () => reject(new Error('the handshake should have been refused')));
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="keyward"');
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    response.destroy();
  });

  it("forwards the upstream's refusal of a handshake", async () => {
    const socket = new WebSocket(`${gw.gateway.url.replace('http', 'ws')}/not-ws`);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      socket.once('unexpected-response', (_request, res) => resolve(res));
      socket.once('open', () => reject(new Error('the handshake should have been refused')));
    });
    expect(response.statusCode).toBe(400);
    response.destroy();
  });
});
