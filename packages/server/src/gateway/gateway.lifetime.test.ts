import { DAY_MS } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestGateway, type TestGateway } from './testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from './testing/test-keys.js';
import { startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

let fixture: KeyFixture;
let upstream: TestUpstream;
let gw: TestGateway;

beforeAll(async () => {
  fixture = await createKeyFixture();
  upstream = await startTestUpstream();
  const now = Date.now();
  await fixture.store.lifetimePolicies.put({
    workspaceId: fixture.workspaceId,
    apiId: fixture.apiId,
    maxTtlDays: null,
    rotateAfterDays: 30,
    rotationGraceDays: 10,
    idleDisableAfterDays: null,
    remindBeforeDays: 0,
    mode: 'enforce',
    createdAt: now,
    updatedAt: now,
  });
  gw = await startTestGateway(
    fixture,
    `
realm: charging
apiId: ${fixture.apiId}
upstreams: [{ url: "${upstream.url}" }]
routes:
  - { methods: [GET], path: /echo/stations }
`,
    { throttle: false },
  );
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await fixture?.close();
});

// The gateway's engine runs on the real clock: the keys' ages are set by their creation times.
describe('gateway: a key due for rotation', () => {
  it('is forwarded, and the answer carries Deprecation and Sunset', async () => {
    const createdAt = Date.now() - 35 * DAY_MS;
    const { key } = await fixture.issue({ createdAt, updatedAt: createdAt });
    const result = await call(`${gw.gateway.url}/echo/stations`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(result.status).toBe(200);
    expect(result.headers.deprecation).toBe(`@${Math.floor((createdAt + 30 * DAY_MS) / 1000)}`);
    expect(result.headers.sunset).toBe(new Date(createdAt + 40 * DAY_MS).toUTCString());
  });

  it('is refused past its grace like any disabled key, and a fresh key carries no such header', async () => {
    const createdAt = Date.now() - 41 * DAY_MS;
    const old = await fixture.issue({ createdAt, updatedAt: createdAt });
    const refused = await call(`${gw.gateway.url}/echo/stations`, {
      headers: { authorization: `Bearer ${old.key}` },
    });
    expect(refused.status).toBe(401);
    const fresh = await fixture.issue();
    const ok = await call(`${gw.gateway.url}/echo/stations`, {
      headers: { authorization: `Bearer ${fresh.key}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.deprecation).toBeUndefined();
    expect(ok.headers.sunset).toBeUndefined();
  });
});
