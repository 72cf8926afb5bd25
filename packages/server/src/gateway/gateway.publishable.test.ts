import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestGateway, type TestGateway } from './testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from './testing/test-keys.js';
import { startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

const APP = 'https://app.example.com';
let fixture: KeyFixture;
let upstream: TestUpstream;
let gw: TestGateway;
let base: string;

// The browser's CORS preflight carries no key: OPTIONS is public, so the upstream answers it.
const routes = (upstreamUrl: string, apiId: string) => `
realm: maps
apiId: ${apiId}
upstreams: [{ url: "${upstreamUrl}" }]
routes:
  - { methods: [GET], path: /echo/stations, permissions: "stations:read" }
  - { methods: [POST], path: /echo/sessions, permissions: "sessions:write" }
  - { methods: [OPTIONS], path: "/echo/*", public: true }
`;

beforeAll(async () => {
  fixture = await createKeyFixture();
  await fixture.store.publishablePolicies.put({
    workspaceId: fixture.workspaceId,
    apiId: fixture.apiId,
    publicPermissions: ['stations:read'],
    allowedOrigins: [APP],
    updatedAt: Date.now(),
  });
  upstream = await startTestUpstream();
  gw = await startTestGateway(fixture, routes(upstream.url, fixture.apiId), { throttle: false });
  base = gw.gateway.url;
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await fixture?.close();
});

describe('gateway: publishable keys', () => {
  it('forwards a publishable key from an allowed origin; refuses another origin or none with 403', async () => {
    const { key } = await fixture.issue({
      kind: 'publishable',
      permissions: ['stations:read', 'sessions:write'],
    });
    const browser = { authorization: `Bearer ${key}`, 'sec-fetch-site': 'cross-site' };
    const ok = await call(`${base}/echo/stations`, { headers: { ...browser, origin: APP } });
    expect(ok.status).toBe(200);
    for (const headers of [
      { ...browser, origin: 'https://evil.example' },
      { authorization: `Bearer ${key}` },
    ]) {
      const refused = await call(`${base}/echo/stations`, { headers });
      expect(refused.status).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    }
    // Not a public permission: 403 insufficient_scope even from the allowed origin.
    const write = await call(`${base}/echo/sessions`, {
      method: 'POST',
      headers: { ...browser, origin: APP },
    });
    expect(write.status).toBe(403);
    expect(write.json()).toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it('lets the preflight through to the upstream on a route marked public', async () => {
    const preflight = await call(`${base}/echo/stations`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(200);
    expect(upstream.seen.at(-1)).toMatchObject({ method: 'OPTIONS' });
  });
});
