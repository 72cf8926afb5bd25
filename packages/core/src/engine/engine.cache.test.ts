import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../keys/ids.js';
import { generateKey } from '../keys/key-format.js';
import { createMemoryCacheBus } from '../memory/memory-cache-bus.js';
import { callCount, createHarness, type Harness, T0 } from './engine.fixtures.js';
import { createEngine } from './engine.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const lookups = () => callCount(h.calls, 'keys.findByDigest');

describe('verifyKey: cache', () => {
  it('answers a repeated key from the cache without the store', async () => {
    h = await createHarness();
    const { key } = await h.issue();
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
    const afterFirst = h.calls.length;
    for (let i = 0; i < 5; i++)
      await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
    expect(lookups()).toBe(1);
    expect(h.calls.length).toBe(afterFirst);
  });

  it('counts cache hits and misses (positive and negative entries alike) for metrics', async () => {
    h = await createHarness();
    const { key } = await h.issue();
    const unknown = generateKey('amp_live');
    await h.engine.verifyKey(key);
    await h.engine.verifyKey(key);
    await h.engine.verifyKey(unknown);
    await h.engine.verifyKey(unknown);
    await h.engine.verifyKey(unknown);
    // A malformed key never reaches the cache: it counts as neither.
    await h.engine.verifyKey('amp_live_not-a-key');
    expect(h.engine.stats?.()).toEqual({ cacheHits: 3, cacheMisses: 2 });
  });

  it('keeps a negative entry for an unknown key', async () => {
    h = await createHarness();
    const unknown = generateKey('amp_live');
    for (let i = 0; i < 3; i++)
      await expect(h.engine.verifyKey(unknown)).resolves.toMatchObject({ code: 'NOT_FOUND' });
    expect(lookups()).toBe(1);
  });

  it('drops a negative entry when a key with that digest is announced', async () => {
    h = await createHarness();
    const key = generateKey('amp_live');
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'NOT_FOUND' });
    const id = newId('key');
    const { record } = await h.issue({ id, digest: h.engine.digest(key) });
    // Without the announcement the negative entry still answers.
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'NOT_FOUND' });
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests: [record.digest] });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID', identity: { keyId: id } });
  });

  it('expires entries after cacheTtlMs', async () => {
    h = await createHarness({ cacheTtlMs: 1_000 });
    const { key } = await h.issue();
    await h.engine.verifyKey(key);
    h.clock.now = T0 + 999;
    await h.engine.verifyKey(key);
    expect(lookups()).toBe(1);
    h.clock.now = T0 + 1_000;
    await h.engine.verifyKey(key);
    expect(lookups()).toBe(2);
  });

  it('drops a changed key on a message from the bus, on every engine sharing it', async () => {
    const bus = createMemoryCacheBus();
    h = await createHarness({ bus });
    const other = createEngine({ store: h.store, bus, now: () => h.clock.now });
    const { key, record } = await h.issue();
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
    await expect(other.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
    await h.store.keys.update(h.ws.id, record.id, { enabled: false }, T0 + 1);
    await bus.publish({ type: 'key', keyId: record.id, digests: [] });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'DISABLED' });
    await expect(other.verifyKey(key)).resolves.toMatchObject({ code: 'DISABLED' });
    await other.close();
    // A closed engine no longer listens, and the bus it did not create stays open.
    await expect(bus.publish({ type: 'all' })).resolves.toBeUndefined();
    await bus.close();
  });

  it('engine.invalidate publishes on the bus for the other nodes', async () => {
    const bus = createMemoryCacheBus();
    const seen: string[] = [];
    bus.subscribe((message) => seen.push(message.type));
    h = await createHarness({ bus });
    await h.engine.invalidate({ type: 'workspace', workspaceId: h.ws.id });
    expect(seen).toEqual(['workspace']);
    await bus.close();
  });

  it('drops the keys of a changed consumer', async () => {
    h = await createHarness();
    const consumer = await h.consumer({ name: 'Before' });
    const { key } = await h.issue({ consumerId: consumer.id });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      identity: { consumer: { name: 'Before' } },
    });
    await h.store.consumers.update(h.ws.id, consumer.id, { name: 'After' }, T0 + 1);
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      identity: { consumer: { name: 'Before' } },
    });
    await h.engine.invalidate({ type: 'consumer', consumerId: consumer.id });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      identity: { consumer: { name: 'After' } },
    });
  });

  it('drops the keys of a workspace (e.g. after a role changed)', async () => {
    h = await createHarness();
    const role = {
      id: newId('role'),
      workspaceId: h.ws.id,
      name: 'reader',
      description: null,
      permissions: ['a:read'],
      createdAt: T0,
      updatedAt: T0,
    };
    await h.store.roles.create(role);
    const { key } = await h.issue({ permissions: [], roles: ['reader'] });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ identity: { permissions: ['a:read'] } });
    await h.store.roles.update(h.ws.id, role.id, { permissions: ['b:read'] }, T0 + 1);
    await h.engine.invalidate({ type: 'workspace', workspaceId: h.ws.id });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ identity: { permissions: ['b:read'] } });
  });

  it('shares one store lookup among concurrent misses (single-flight)', async () => {
    h = await createHarness();
    const { key, record } = await h.issue();
    const unknown = generateKey('amp_live');
    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => h.engine.verifyKey(key)),
      ...Array.from({ length: 50 }, () => h.engine.verifyKey(unknown)),
    ]);
    expect(results.slice(0, 50).every((r) => r.valid && r.identity.keyId === record.id)).toBe(true);
    expect(results.slice(50).every((r) => r.code === 'NOT_FOUND')).toBe(true);
    expect(lookups()).toBe(2);
  });

  it('does not cache a lookup that an invalidation overtook', async () => {
    h = await createHarness();
    const { key, record } = await h.issue();
    const release = h.hold('keys.findByDigest');
    const before = h.engine.verifyKey(key);
    await h.store.keys.update(h.ws.id, record.id, { enabled: false }, T0 + 1);
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests: [] });
    release();
    // The caller that asked before the change may see the old state; nobody after it does.
    await expect(before).resolves.toMatchObject({ code: 'DISABLED' });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'DISABLED' });
    expect(lookups()).toBe(2);
  });

  it('serves a lookup overtaken mid-way to its waiting callers only', async () => {
    h = await createHarness();
    const { key, record } = await h.issue();
    // The key row is read, then the engine waits for its credit balance while the key changes.
    const release = h.hold('credits.get');
    const before = h.engine.verifyKey(key);
    await vi.waitFor(() => expect(h.calls).toContain('credits.get'));
    await h.store.keys.update(h.ws.id, record.id, { enabled: false }, T0 + 1);
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests: [] });
    release();
    await expect(before).resolves.toMatchObject({ code: 'VALID' });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'DISABLED' });
  });

  it('caches no failure: a store error rejects, and the next call asks again', async () => {
    h = await createHarness();
    const { key } = await h.issue();
    let asked = 0;
    const down = new Error('db down');
    const broken = createEngine({
      store: {
        ...h.store,
        keys: {
          ...h.store.keys,
          findByDigest: () => {
            asked++;
            return Promise.reject(down);
          },
        },
      },
    });
    // The failure surfaces as UNAVAILABLE (503 at the edge) with the store's error as its cause.
    await expect(broken.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE', cause: down });
    await expect(broken.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE', cause: down });
    expect(asked).toBe(2);
    await broken.close();
  });
});
