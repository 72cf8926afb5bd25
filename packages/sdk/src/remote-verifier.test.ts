import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeywardApiError } from './api-error.js';
import { createKeywardFixture, type KeywardFixture } from './testing/fixture.js';
import type { Verifier } from './verification.js';

describe('remoteVerifier against the keyward verify API', () => {
  let fx: KeywardFixture;
  let calls: string[];
  /** A remote verifier with the cache on (5 s on the fixture's clock), counting verify calls. */
  let cached: Verifier;

  beforeAll(async () => {
    fx = await createKeywardFixture();
    calls = [];
    cached = fx.remote({
      cacheTtlMs: 5_000,
      fetch: (url, init) => {
        calls.push(String(url));
        return fetch(url, init);
      },
    });
  });
  afterAll(async () => {
    await fx?.close();
  });

  const countCalls = async (run: () => Promise<unknown>): Promise<number> => {
    const before = calls.length;
    await run();
    return calls.length - before;
  };

  it('caches per origin: a publishable key refused from one origin still passes from another', async () => {
    const origin = 'https://app.example.com';
    await fx.store.publishablePolicies.put({
      workspaceId: fx.workspaceId,
      apiId: fx.apiId,
      publicPermissions: ['stations:read'],
      allowedOrigins: [origin],
      updatedAt: fx.clock.now(),
    });
    const issued = await fx.issue({ kind: 'publishable', permissions: ['stations:read'] });
    const from = (o: string) =>
      cached.verify(issued.key, { permissions: 'stations:read', client: { origin: o } });
    await expect(from('https://evil.example')).resolves.toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    await expect(from(origin)).resolves.toMatchObject({ code: 'VALID' });
    // Both kept: replayed without a call.
    expect(await countCalls(() => from('https://evil.example'))).toBe(0);
  });

  it('maps every field of a valid answer', async () => {
    const issued = await fx.issue({
      externalId: 'acme',
      meta: { tier: 'gold' },
      permissions: ['stations:read'],
    });
    const result = await fx.remote().verify(issued.key, { permissions: 'stations:read', ip: '203.0.113.9' });
    expect(result).toEqual({
      valid: true,
      code: 'VALID',
      identity: {
        keyId: issued.id,
        workspaceId: fx.workspaceId,
        apiId: fx.apiId,
        name: null,
        consumer: { id: issued.consumerId, externalId: 'acme', name: null, meta: null },
        permissions: ['stations:read'],
        roles: [],
        meta: { tier: 'gold' },
        expiresAt: null,
        environment: 'live',
        parentKeyId: null,
      },
      ratelimits: [],
      credits: null,
      retryAfterMs: null,
    });
  });

  it('replays a result that no counter decides until the TTL ends (so a revocation lands within it)', async () => {
    const issued = await fx.issue();
    expect(await countCalls(() => cached.verify(issued.key, {}))).toBe(1);
    await fx.admin.keys.revoke(issued.id);
    expect(await countCalls(() => cached.verify(issued.key, {}))).toBe(0);
    expect((await cached.verify(issued.key, {})).code).toBe('VALID');
    fx.clock.advance(5_000);
    expect((await cached.verify(issued.key, {})).code).toBe('REVOKED');
    expect(await countCalls(() => cached.verify(issued.key, {}))).toBe(0);
  });

  it('keys the cache by everything that decides the outcome', async () => {
    const issued = await fx.issue({ permissions: ['stations:read'] });
    expect(await countCalls(() => cached.verify(issued.key, { permissions: 'stations:read' }))).toBe(1);
    const denied = await cached.verify(issued.key, { permissions: 'sessions:write' });
    expect(denied.code).toBe('INSUFFICIENT_PERMISSIONS');
    expect(await countCalls(() => cached.verify(issued.key, { permissions: 'sessions:write' }))).toBe(0);
    expect(
      await countCalls(() => cached.verify(issued.key, { permissions: 'stations:read', ip: '::1' })),
    ).toBe(1);
    expect(await countCalls(() => cached.verify(fx.unknownKey(), {}))).toBe(1);
  });

  it('never replays a result that rate limits or credits decide', async () => {
    const limited = await fx.issue({ ratelimits: [{ name: 'per-minute', limit: 1, duration: 60_000 }] });
    expect((await cached.verify(limited.key, {})).code).toBe('VALID');
    expect(await countCalls(() => cached.verify(limited.key, {}))).toBe(1);
    expect((await cached.verify(limited.key, {})).code).toBe('RATE_LIMITED');
    const metered = await fx.issue({ credits: { remaining: 1 } });
    expect((await cached.verify(metered.key, {})).code).toBe('VALID');
    expect((await cached.verify(metered.key, {})).code).toBe('USAGE_EXCEEDED');
    expect(await countCalls(() => cached.verify(metered.key, {}))).toBe(1);
  });

  it('never replays a valid result past the key expiry', async () => {
    const issued = await fx.issue({ expiresAt: fx.clock.now() + 2_000 });
    expect((await cached.verify(issued.key, {})).code).toBe('VALID');
    fx.clock.advance(2_000);
    expect((await cached.verify(issued.key, {})).code).toBe('EXPIRED');
  });

  it('leaves out an address that is not an IP, which fails closed for an allow-listed key', async () => {
    const issued = await fx.issue({ allowedIps: ['203.0.113.0/24'] });
    expect((await fx.remote().verify(issued.key, { ip: 'not-an-ip' })).code).toBe('FORBIDDEN_IP');
    expect((await fx.remote().verify(issued.key, { ip: '203.0.113.5' })).code).toBe('VALID');
  });

  it('trims tags to what the verify API accepts', async () => {
    const issued = await fx.issue();
    const tags = ['', ...Array.from({ length: 30 }, (_, i) => `route-${i}-${'x'.repeat(200)}`)];
    expect((await fx.remote().verify(issued.key, { tags })).code).toBe('VALID');
  });

  it('rejects when it gets no valid answer: bad root key, server error, unreachable', async () => {
    const issued = await fx.issue();
    const wrongRoot = fx.remote({ rootKey: 'kwroot_000000000000000000000000000000000000' });
    await expect(wrongRoot.verify(issued.key, {})).rejects.toMatchObject({ status: 401 });
    const failing = fx.remote({ fetch: async () => new Response('oops', { status: 502 }) });
    await expect(failing.verify(issued.key, {})).rejects.toBeInstanceOf(KeywardApiError);
    const garbage = fx.remote({ fetch: async () => new Response('<html>', { status: 200 }) });
    await expect(garbage.verify(issued.key, {})).rejects.toBeInstanceOf(KeywardApiError);
    const down = fx.remote({ baseUrl: 'http://127.0.0.1:9' });
    await expect(down.verify(issued.key, {})).rejects.toMatchObject({ status: 0 });
  });
});
