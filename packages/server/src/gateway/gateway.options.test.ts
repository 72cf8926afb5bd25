import { Readable } from 'node:stream';
import { generateKey } from '@keyward/core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestGateway } from './testing/test-gateway.js';
import { createKeyFixture, type KeyFixture } from './testing/test-keys.js';
import { startTestUpstream, type TestUpstream } from './testing/test-upstream.js';

let fixture: KeyFixture;
let upstream: TestUpstream;

beforeAll(async () => {
  fixture = await createKeyFixture();
  upstream = await startTestUpstream();
});
afterAll(async () => {
  await upstream?.close();
  await fixture?.close();
});

describe('gateway: brute-force throttle', () => {
  it('answers 429 to an address after too many invalid keys, yet lets its valid keys through', async () => {
    const gw = await startTestGateway(
      fixture,
      `upstreams: [{ url: "${upstream.url}" }]\nroutes: [{ path: /echo/* }]\n`,
      {
        throttle: { maxFailures: 3, windowMs: 60_000, blockMs: 60_000 },
      },
    );
    try {
      const url = `${gw.gateway.url}/echo/x`;
      for (let i = 0; i < 3; i++) {
        expect(
          (await call(url, { headers: { authorization: `Bearer ${generateKey('amp_live')}` } })).status,
        ).toBe(401);
      }
      const blocked = await call(url, { headers: { authorization: `Bearer ${generateKey('amp_live')}` } });
      expect(blocked.status).toBe(429);
      expect(blocked.headers['retry-after']).toMatch(/^(59|60)$/);
      expect(blocked.json()).toMatchObject({ status: 429, code: 'TOO_MANY_FAILURES' });
      const malformed = await call(url, { headers: { authorization: 'Bearer not-a-key' } });
      expect(malformed.status).toBe(429);
      // The address may be shared: a valid key passes (issue 10), and is spent from as usual.
      const { key } = await fixture.issue({ credits: { remaining: 5 } });
      expect((await call(url, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      expect(fixture.usage.at(-1)).toMatchObject({ code: 'VALID', cost: 1 });
    } finally {
      await gw.close();
    }
  });
});

describe('gateway: a custom key header', () => {
  it('reads the bare key from it, strips it, and leaves Authorization to the upstream', async () => {
    const gw = await startTestGateway(
      fixture,
      `keyHeader: { name: X-Api-Key }\nupstreams: [{ url: "${upstream.url}" }]\nroutes: [{ path: /echo/* }]\n`,
      { throttle: false },
    );
    try {
      const { id, key } = await fixture.issue();
      const ok = await call(`${gw.gateway.url}/echo/x`, {
        headers: { 'x-api-key': key, authorization: 'Basic dXNlcg==' },
      });
      expect(ok.status).toBe(200);
      const { headers } = ok.json() as { headers: Record<string, string> };
      expect(headers['x-api-key']).toBeUndefined();
      expect(headers.authorization).toBe('Basic dXNlcg==');
      expect(headers['x-keyward-key-id']).toBe(id);

      const missing = await call(`${gw.gateway.url}/echo/x`, { headers: { authorization: `Bearer ${key}` } });
      expect(missing.status).toBe(401);
      expect(missing.json()).toMatchObject({ detail: 'This API needs a key: send X-Api-Key: <key>.' });
      const twice = await call(`${gw.gateway.url}/echo/x`, { headers: ['x-api-key', key, 'X-API-KEY', key] });
      expect(twice.status).toBe(400);
      expect(twice.json()).toMatchObject({
        error: 'invalid_request',
        detail: 'Send exactly one X-Api-Key header.',
      });
      // Bodies without a Content-Type, and chunked ones, are streamed through unchanged.
      const raw = await call(`${gw.gateway.url}/echo/raw`, {
        method: 'POST',
        headers: { 'x-api-key': key },
        body: 'raw body',
      });
      expect(raw.json()).toMatchObject({ method: 'POST', body: 'raw body' });
      const chunked = await request(`${gw.gateway.url}/echo/chunked`, {
        method: 'PUT',
        headers: { 'x-api-key': key },
        body: Readable.from([Buffer.from('one,'), Buffer.from('two')]),
      });
      expect(await chunked.body.json()).toMatchObject({ method: 'PUT', body: 'one,two' });
      // A GET with a body is forwarded without it rather than failing.
      const getWithBody = await call(`${gw.gateway.url}/echo/get`, {
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: '{"q":1}',
      });
      expect(getWithBody.status).toBe(200);
      expect(getWithBody.json()).toMatchObject({ method: 'GET', body: '' });
      const junk = await call(`${gw.gateway.url}/echo/x`, { headers: { 'x-api-key': 'not a key' } });
      expect(junk.status).toBe(401);
      expect(junk.headers['www-authenticate']).toBe('Bearer realm="keyward", error="invalid_token"');
    } finally {
      await gw.close();
    }
  });
});
