import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { call, startTestGateway } from './testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from './testing/test-keys.js';
import { createGate, startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

let fixture: KeyFixture;
let a: TestUpstream;
let b: TestUpstream;
let deadUrl: string;

/** A loopback URL where nothing listens (a port that was free a moment ago). */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  fixture = await createKeyFixture();
  a = await startTestUpstream('a');
  b = await startTestUpstream('b');
  deadUrl = await closedPortUrl();
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await fixture?.close();
});

const names = async (url: string, count: number) => {
  const results: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = await call(url);
    results.push(result.status === 200 ? (result.json() as { hello: string }).hello : String(result.status));
  }
  return results;
};

describe('gateway: upstream failures', () => {
  it('answers 502 problem+json when the upstream refuses connections', async () => {
    const gw = await startTestGateway(
      fixture,
      `upstreams: [{ url: "${deadUrl}" }]\nroutes: [{ path: /hello, public: true }]\n`,
    );
    try {
      const result = await call(`${gw.gateway.url}/hello`);
      expect(result.status).toBe(502);
      expect(result.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(result.json()).toMatchObject({ status: 502, title: 'Bad Gateway' });
      // A WebSocket handshake fails the same way.
      const socket = new WebSocket(`${gw.gateway.url.replace('http', 'ws')}/hello`);
      const refused = await new Promise<IncomingMessage>((resolve, reject) => {
        socket.once('unexpected-response', (_request, res) => resolve(res));
        socket.once('open', () => reject(new Error('the handshake should have failed')));
      });
      expect(refused.statusCode).toBe(502);
      refused.destroy();
    } finally {
      await gw.close();
    }
  });

  it('answers 504 problem+json when the upstream is slower than the route allows', async () => {
    const gw = await startTestGateway(
      fixture,
      `upstreams: [{ url: "${a.url}" }]\nroutes:\n  - { path: /slow, public: true, timeoutMs: 100 }\n  - { path: /hello, public: true }\n`,
    );
    try {
      const result = await call(`${gw.gateway.url}/slow?ms=5000`);
      expect(result.status).toBe(504);
      expect(result.json()).toMatchObject({ status: 504, title: 'Gateway Timeout' });
      // The pool stays usable after a timed-out request.
      expect((await call(`${gw.gateway.url}/hello`)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
  it('cuts a response body that stalls for longer than idleTimeoutMs', async () => {
    a.gates.sse = createGate();
    const gw = await startTestGateway(
      fixture,
      `idleTimeoutMs: 200\nupstreams: [{ url: "${a.url}" }]\nroutes: [{ path: /sse, public: true }]\n`,
    );
    try {
      const response = await request(`${gw.gateway.url}/sse`);
      expect(response.statusCode).toBe(200);
      const read = async () => {
        let text = '';
        for await (const chunk of response.body) text += String(chunk);
        return text;
      };
      // The upstream sends one event and then nothing: the gateway gives up instead of holding the connection.
      await expect(read()).rejects.toThrow('other side closed');
    } finally {
      a.gates.sse.open();
      await gw.close();
    }
  });
});

describe('gateway: several upstreams', () => {
  it('takes turns (round-robin)', async () => {
    const gw = await startTestGateway(
      fixture,
      `upstreams: [{ url: "${a.url}" }, { url: "${b.url}" }]\nroutes: [{ path: /hello, public: true }]\n`,
    );
    try {
      expect(await names(`${gw.gateway.url}/hello`, 4)).toEqual(['a', 'b', 'a', 'b']);
    } finally {
      await gw.close();
    }
  });

  it('skips an upstream whose health check fails and takes it back once it passes', async () => {
    const check = 'healthCheck: { path: /healthz, intervalMs: 100, unhealthyThreshold: 1 }';
    const gw = await startTestGateway(
      fixture,
      `upstreams:\n  - { url: "${a.url}", ${check} }\n  - { url: "${b.url}", ${check} }\nroutes: [{ path: /hello, public: true }]\n`,
    );
    try {
      b.healthStatus = 500;
      await vi.waitFor(
        async () => expect(await names(`${gw.gateway.url}/hello`, 4)).toEqual(['a', 'a', 'a', 'a']),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
      b.healthStatus = 200;
      await vi.waitFor(
        async () => expect((await names(`${gw.gateway.url}/hello`, 4)).sort()).toEqual(['a', 'a', 'b', 'b']),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
    } finally {
      b.healthStatus = 200;
      await gw.close();
    }
  });

  it('routes around a dead upstream, and answers 502 when every upstream is down', async () => {
    const check = 'healthCheck: { path: /healthz, intervalMs: 100, unhealthyThreshold: 1 }';
    const gw = await startTestGateway(
      fixture,
      `upstreams:\n  - { url: "${deadUrl}", ${check} }\n  - { url: "${a.url}", ${check} }\nroutes: [{ path: /hello, public: true }]\n`,
    );
    try {
      await vi.waitFor(
        async () => expect(await names(`${gw.gateway.url}/hello`, 4)).toEqual(['a', 'a', 'a', 'a']),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
      a.healthStatus = 503;
      await vi.waitFor(
        async () => {
          const result = await call(`${gw.gateway.url}/hello`);
          expect(result.status).toBe(502);
          expect(result.json()).toMatchObject({ detail: 'No healthy upstream is available.' });
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      a.healthStatus = 200;
      await gw.close();
    }
  });
});
