import { generateKey } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call as gatewayCall,
  startTestGateway,
  type TestGateway,
} from '../../src/gateway/testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from '../../src/gateway/testing/test-keys.js';
import { startTestUpstream, type TestUpstream } from '../../src/gateway/testing/test-upstream.js';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';

/**
 * Issue 10, defect 5: 20 failed root keys from one address gave that address 429 for 5
 * minutes, valid root keys and API keys included; behind a load balancer without the
 * trust-proxy setting every client shares one address, so one client locked out all.
 * The rule: the throttle never refuses a valid credential, and brute force gets no
 * cheaper: a blocked client's guesses are still refused (429), and strings that are not
 * keyward keys (malformed, or the foreign format imported keys may have, which can be
 * weak) are refused before any lookup.
 */
const NEIGHBOUR = '203.0.113.7';

describe('admin API: a blocked address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ storage: 'file', app: { throttle: { maxFailures: 5 } } });
  });
  afterAll(async () => {
    await t.close();
  });

  const asNeighbour = (rootKey: string) =>
    t.app.inject({
      method: 'GET',
      url: '/v1/apis',
      remoteAddress: NEIGHBOUR,
      headers: { authorization: `Bearer ${rootKey}` },
    });

  it('still serves every valid root key, and refuses guesses with 429', async () => {
    for (let i = 0; i < 5; i++) expect((await asNeighbour(generateKey('kwroot'))).statusCode).toBe(401);
    expect((await asNeighbour(generateKey('kwroot'))).statusCode).toBe(429);
    expect((await asNeighbour('kwroot_not-even-a-key')).statusCode).toBe(429);
    // Another client behind the same address, with a valid root key.
    expect((await asNeighbour(t.a.rootKey)).statusCode).toBe(200);
    expect((await asNeighbour(t.b.rootKey)).statusCode).toBe(200);
    // The block holds for guesses.
    const guess = await asNeighbour(generateKey('kwroot'));
    expect(guess.statusCode).toBe(429);
    expect(guess.headers['retry-after']).toBeDefined();
  });
});

describe('gateway: a blocked address', () => {
  let fixture: KeyFixture;
  let upstream: TestUpstream;
  let gw: TestGateway;
  beforeAll(async () => {
    fixture = await createKeyFixture();
    upstream = await startTestUpstream();
    gw = await startTestGateway(
      fixture,
      `upstreams: [{ url: "${upstream.url}" }]\nroutes:\n  - { path: /hello }\n`,
      { throttle: { maxFailures: 5 } },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.close();
    await fixture?.close();
  });

  const hello = (key: string) =>
    gatewayCall(`${gw.gateway.url}/hello`, { headers: { authorization: `Bearer ${key}` } });

  it('still serves every valid keyward key; guesses and foreign-format strings get 429 before any lookup', async () => {
    const { key } = await fixture.issue();
    const imported = 'legacy-weak-key-0001';
    const template = await fixture.store.keys.get(fixture.workspaceId, (await fixture.issue()).id);
    if (template === null) throw new Error('the fixture key is missing');
    await fixture.store.keys.create({
      ...template,
      id: 'key_importedLegacy000001',
      digest: fixture.engine.digest(imported),
      hint: '…0001',
      imported: true,
    });
    await fixture.engine.invalidate({ type: 'key', keyId: 'key_importedLegacy000001', digests: [] });
    expect((await fixture.engine.verifyKey(imported)).valid).toBe(true);
    for (let i = 0; i < 5; i++) expect((await hello(generateKey('amp_live'))).status).toBe(401);
    expect((await hello(generateKey('amp_live'))).status).toBe(429);
    const before = fixture.usage.length;
    expect((await hello(key)).status).toBe(200);
    expect(fixture.usage.length).toBe(before + 1);
    expect((await hello(generateKey('amp_live'))).status).toBe(429);
    // Imported keys may be weak: from a blocked address they are not even looked up.
    let lookups = 0;
    const find = fixture.store.keys.findByDigest.bind(fixture.store.keys);
    fixture.store.keys.findByDigest = (digest) => {
      lookups += 1;
      return find(digest);
    };
    expect((await hello(imported)).status).toBe(429);
    expect((await hello('garbage-garbage-garbage')).status).toBe(429);
    expect(lookups).toBe(0);
    expect(fixture.usage.at(-1)).toMatchObject({ code: 'NOT_FOUND', keyId: null });
  });
});
