import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestGateway, type TestGateway } from '../../src/gateway/testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from '../../src/gateway/testing/test-keys.js';
import { startTestUpstream, type TestUpstream } from '../../src/gateway/testing/test-upstream.js';
import { createAppLogger } from '../../src/logging.js';

/**
 * Issue 10, defects 3 and 8: the gateway logged full URLs (a key in `?access_token=` went
 * into the `incoming request` line), sent `req-1`, `req-2`, ... as `X-Request-Id` and logged
 * "gateway listening" twice. (Method overrides and double encoding: gateway-smuggling.test.ts.)
 */
let fixture: KeyFixture;
let upstream: TestUpstream;
let gw: TestGateway;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  fixture = await createKeyFixture();
  upstream = await startTestUpstream();
  const logger = createAppLogger({
    level: 'trace',
    destination: { write: (line: string) => void lines.push(line) },
  });
  gw = await startTestGateway(
    fixture,
    `
upstreams: [{ url: "${upstream.url}" }]
routes:
  - { path: /echo/private, methods: [GET, POST] }
  - { path: "/echo/*", public: true }
  - { path: /hello, methods: [GET] }
`,
    { throttle: false, logger },
  );
  base = gw.gateway.url;
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await fixture?.close();
});

describe('no credential reaches a gateway log line', () => {
  it('keys in the query, the path and headers, session cookies and foreign tokens', async () => {
    const { key } = await fixture.issue();
    const secrets = [key, 'legacy-token-5Yc2Qm', 'kwsession-Zp3Hq8', 'portal-tok-Lk9Vb2'];
    expect((await call(`${base}/hello?access_token=${key}`)).status).toBe(400);
    await call(`${base}/echo/x?api_key=legacy-token-5Yc2Qm&page=1`);
    await call(`${base}/echo/x?portal_token=portal-tok-Lk9Vb2`, {
      headers: { cookie: 'kw_session=kwsession-Zp3Hq8' },
    });
    await call(`${base}/missing/${key}`);
    await call(`${base}/hello`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': key } });
    await call(`${base}/echo/private`, { headers: { authorization: 'Bearer legacy-token-5Yc2Qm' } });
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of secrets)
      expect({ secret, logged: log.includes(secret) }).toEqual({ secret, logged: false });
    // One line per request, with the path (no query) and status.
    expect(log).toContain('"path":"/echo/x"');
    expect(log).not.toContain('incoming request');
  });
});

describe('what the upstream receives', () => {
  it('X-Request-Id is unique and unguessable, and a sane caller id is kept', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const seen = (await call(`${base}/echo/x`)).json() as { headers: Record<string, string> };
      ids.add(seen.headers['x-request-id'] as string);
    }
    expect(ids.size).toBe(3);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const kept = (await call(`${base}/echo/x`, { headers: { 'x-request-id': 'trace-42' } })).json() as {
      headers: Record<string, string>;
    };
    expect(kept.headers['x-request-id']).toBe('trace-42');
  });
});

describe('keyward serve --gateway', () => {
  it('says once where the gateway listens', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { loadConfig } = await import('../../src/config.js');
    const { startServer } = await import('../../src/start.js');
    const dir = await mkdtemp(path.join(tmpdir(), 'keyward-serve-gateway-'));
    const file = path.join(dir, 'gateway.yaml');
    await writeFile(
      file,
      `listen: { host: 127.0.0.1, port: 0 }\nupstreams: [{ url: "${upstream.url}" }]\nroutes: [{ path: /hello }]\n`,
    );
    const captured: string[] = [];
    const logger = createAppLogger({
      level: 'info',
      destination: { write: (line: string) => void captured.push(line) },
    });
    const server = await startServer(loadConfig({ KEYWARD_PORT: '0', KEYWARD_DATA_DIR: dir }), {
      logger,
      gateway: file,
    });
    try {
      expect(captured.filter((line) => line.includes('keyward gateway listening'))).toHaveLength(1);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
