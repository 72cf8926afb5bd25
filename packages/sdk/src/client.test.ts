import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeywardApiError } from './api-error.js';
import { createClient } from './client.js';
import { createKeywardFixture, type KeywardFixture } from './testing/fixture.js';

const failure = async (promise: Promise<unknown>): Promise<KeywardApiError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeywardApiError) return error;
    throw error;
  }
  throw new Error('expected a KeywardApiError');
};

describe('createClient against the keyward app', () => {
  let fx: KeywardFixture;
  beforeAll(async () => {
    fx = await createKeywardFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('manages roles, consumers and keys, and verifies a key', async () => {
    const role = await fx.admin.roles.create({
      name: 'driver',
      permissions: ['sessions:read', 'sessions:write'],
    });
    expect((await fx.admin.roles.get(role.id)).permissions).toEqual(['sessions:read', 'sessions:write']);
    const consumer = await fx.admin.consumers.create({ externalId: 'ionity', name: 'Ionity' });
    const issued = await fx.admin.keys.create({
      apiId: fx.apiId,
      consumerId: consumer.id,
      permissions: ['stations:read'],
      ratelimits: [{ name: 'per-minute', limit: 10, duration: 60_000 }],
    });
    expect(issued.key.startsWith(`${fx.prefix}_`)).toBe(true);
    const withRole = await fx.admin.keys.attachRoles(issued.id, { roles: ['driver'] });
    expect(withRole.roles).toEqual(['driver']);
    const page = await fx.admin.keys.list({ consumerId: consumer.id, limit: 10 });
    expect(page.items.map((k) => k.id)).toEqual([issued.id]);

    const verified = await fx.admin.keys.verify({
      key: issued.key,
      permissions: 'sessions:write AND stations:read',
    });
    expect(verified).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId: issued.id,
      consumer: { externalId: 'ionity' },
    });
    expect(verified.ratelimits).toEqual([
      expect.objectContaining({ name: 'per-minute', limit: 10, remaining: 9 }),
    ]);

    await fx.admin.keys.detachRole(issued.id, 'driver');
    const denied = await fx.admin.keys.verify({ key: issued.key, permissions: 'sessions:write' });
    expect(denied).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });

    const rolled = await fx.admin.keys.roll(issued.id);
    expect(rolled.key).not.toBe(issued.key);
    expect((await fx.admin.keys.revoke(issued.id)).status).toBe('revoked');
    await fx.admin.keys.delete(issued.id);
    expect((await failure(fx.admin.keys.get(issued.id))).status).toBe(404);
  });

  it('replays a create sent twice with the same idempotency key', async () => {
    const body = { externalId: 'same-twice' };
    const first = await fx.admin.consumers.create(body, { idempotencyKey: 'create-consumer-1' });
    const second = await fx.admin.consumers.create(body, { idempotencyKey: 'create-consumer-1' });
    expect(second.id).toBe(first.id);
  });

  it('throws KeywardApiError carrying the problem details', async () => {
    const missing = await failure(fx.admin.apis.get('api_nope'));
    expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND', title: expect.any(String) });
    expect(missing.problem?.type).toBe('urn:keyward:problem:not-found');

    const invalid = await failure(fx.admin.apis.create({ name: 'x', prefix: 'Not A Prefix' }));
    expect(invalid.status).toBe(400);
    expect(invalid.errors.length).toBeGreaterThan(0);
    expect(invalid.errors[0]?.field).toContain('prefix');

    const stranger = createClient({ baseUrl: fx.baseUrl, rootKey: 'kwroot_notarealkey' });
    const unauthorized = await failure(stranger.apis.list());
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.message).not.toContain('kwroot_notarealkey');
  });

  it('reports no answer as status 0 (network error and timeout)', async () => {
    const down = createClient({ baseUrl: 'http://127.0.0.1:9', rootKey: 'kwroot_x' });
    expect(await failure(down.health())).toMatchObject({ status: 0, code: 'NETWORK' });
    const never = createClient({
      baseUrl: fx.baseUrl,
      rootKey: 'kwroot_x',
      timeoutMs: 50,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    });
    expect(await failure(never.health())).toMatchObject({ status: 0, code: 'TIMEOUT' });
  });

  it('never puts a key in a URL: keys travel in bodies, the root key in the Authorization header', async () => {
    const seen: Array<{ url: string; authorization: string | null; body: string }> = [];
    const rootKey = (await fx.admin.rootKeys.create({ permissions: ['*'] })).key;
    const recording = createClient({
      baseUrl: fx.baseUrl,
      rootKey,
      fetch: async (url, init) => {
        seen.push({
          url: String(url),
          authorization: new Headers(init?.headers).get('authorization'),
          body: typeof init?.body === 'string' ? init.body : '',
        });
        return fetch(url, init);
      },
    });
    const issued = await recording.keys.create({ apiId: fx.apiId });
    await recording.keys.verify({ key: issued.key });
    await recording.keys.list({ apiId: fx.apiId });
    for (const call of seen) {
      expect(call.url).not.toContain(issued.key);
      expect(call.url).not.toContain(rootKey);
      expect(call.authorization).toBe(`Bearer ${rootKey}`);
    }
    expect(seen[1]?.body).toContain(issued.key);
  });

  it('reads health and readiness', async () => {
    expect(await fx.admin.health()).toEqual({ status: 'ok' });
    expect((await fx.admin.ready()).status).toBe('ready');
  });

  it('refuses a base URL with credentials or a query and an unprintable root key', () => {
    expect(() => createClient({ baseUrl: 'http://u:p@127.0.0.1', rootKey: 'k' })).toThrow(TypeError);
    expect(() => createClient({ baseUrl: 'http://127.0.0.1/?x=1', rootKey: 'k' })).toThrow(TypeError);
    expect(() => createClient({ baseUrl: 'ftp://127.0.0.1', rootKey: 'k' })).toThrow(TypeError);
    expect(() => createClient({ baseUrl: 'http://127.0.0.1', rootKey: 'k\r\nx' })).toThrow(TypeError);
  });
});

describe('keys.mintChild', () => {
  let fx: KeywardFixture;
  beforeAll(async () => {
    fx = await createKeywardFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('mints with the parent key, not the root key, and answers refusals as KeywardApiError naming the field', async () => {
    const parent = await fx.issue({ permissions: ['sessions:*'] });
    const child = await fx.admin.keys.mintChild({
      parentKey: parent.key,
      permissions: ['sessions:read'],
      expiresIn: 60,
      name: 'job',
    });
    expect(child).toMatchObject({ parentKeyId: parent.id, name: 'job', permissions: ['sessions:read'] });
    await expect(fx.admin.keys.verify({ key: child.key })).resolves.toMatchObject({
      code: 'VALID',
      parentKeyId: parent.id,
    });
    const wider = await failure(
      fx.admin.keys.mintChild({ parentKey: parent.key, permissions: ['*'], expiresIn: 60 }),
    );
    expect(wider).toMatchObject({ status: 400 });
    expect(JSON.stringify(wider.problem)).toContain('body.permissions[0]');
    const unknown = await failure(
      fx.admin.keys.mintChild({ parentKey: fx.unknownKey(), permissions: [], expiresIn: 60 }),
    );
    expect(unknown.status).toBe(401);
    const children = await fx.admin.keys.list({ parentKeyId: parent.id });
    expect(children.items.map((k) => k.id)).toEqual([child.id]);
  });
});
