import { writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, startTestGateway, type TestGateway } from './testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from './testing/test-keys.js';
import { createGate, startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

let fixture: KeyFixture;
let upstream: TestUpstream;
let gw: TestGateway;
const logLines: Array<{ msg?: string; problem?: string }> = [];

const v1 = (url: string) => `upstreams: [{ url: "${url}" }]
routes:
  - { methods: [GET], path: /hello, public: true }
  - { methods: [GET], path: /sse, public: true }
`;
const v2 = (url: string) => `upstreams: [{ url: "${url}" }]
routes:
  - { methods: [GET], path: /hello, public: true }
  - { methods: [GET], path: /echo/v2, public: true }
`;

beforeAll(async () => {
  fixture = await createKeyFixture();
  upstream = await startTestUpstream();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  gw = await startTestGateway(fixture, v1(upstream.url), {
    watch: true,
    debounceMs: 50,
    logger: pino({ level: 'info' }, sink),
  });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await fixture?.close();
});

describe('gateway: hot reload', () => {
  it('swaps the routes on a valid change while a streaming request started under the old routes finishes', async () => {
    upstream.gates.sse = createGate();
    const inFlight = await request(`${gw.gateway.url}/sse`);
    const chunks: string[] = [];
    const reader = inFlight.body[Symbol.asyncIterator]();
    const first = await reader.next();
    chunks.push(String(first.value));

    await writeFile(gw.file, v2(upstream.url));
    await vi.waitFor(async () => expect((await call(`${gw.gateway.url}/echo/v2`)).status).toBe(200), {
      timeout: 10_000,
    });
    expect((await call(`${gw.gateway.url}/sse`)).status).toBe(404);

    upstream.gates.sse.open();
    for (let next = await reader.next(); !next.done; next = await reader.next())
      chunks.push(String(next.value));
    expect(chunks.join('')).toBe('data: one\n\ndata: two\n\n');
  });

  it('keeps the old routes and logs every problem when the new file is invalid', async () => {
    await writeFile(gw.file, `${v2(upstream.url)}  - { path: /broken, cost: many }\n`);
    await vi.waitFor(
      () => expect(logLines.some((l) => l.msg?.startsWith('gateway config rejected'))).toBe(true),
      {
        timeout: 10_000,
      },
    );
    const rejected = logLines.find((l) => l.msg?.startsWith('gateway config rejected'));
    expect(rejected?.problem).toContain(
      'gateway.yaml:5:28 routes[2].cost: must be an integer from 0 to 1000000 (got "many")',
    );
    expect((await call(`${gw.gateway.url}/echo/v2`)).status).toBe(200);
    expect((await call(`${gw.gateway.url}/broken`)).status).toBe(404);
    await expect(gw.gateway.reload()).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('drops no request while the file changes under load', async () => {
    const burst = Array.from({ length: 200 }, () => call(`${gw.gateway.url}/hello`));
    for (let i = 0; i < 5; i++) {
      await writeFile(gw.file, i % 2 === 0 ? v1(upstream.url) : v2(upstream.url));
      await gw.gateway.reload();
    }
    const statuses = (await Promise.all(burst)).map((result) => result.status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });
});
