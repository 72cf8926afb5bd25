import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../contracts/model.js';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { newId } from '../keys/ids.js';
import { generateKey, keyHint } from '../keys/key-format.js';
import { createMemoryCacheBus } from '../memory/memory-cache-bus.js';
import { childBinding, DEFAULT_CHILD_KEY_POLICY, mintChildKey } from './child-keys.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';
import { createEngine } from './engine.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

/** Mints and stores a child of `parent` as the admin route does; returns its plaintext and record. */
async function mint(
  parent: KeyRecord,
  request: Partial<Parameters<typeof mintChildKey>[3]> = {},
  parentPermissions: readonly string[] = parent.permissions,
  policy = { ...DEFAULT_CHILD_KEY_POLICY, maxDepth: 3 },
) {
  const key = generateKey(h.api.prefix);
  const record = mintChildKey(
    parent,
    parentPermissions,
    policy,
    { permissions: ['sessions:read'], expiresIn: 600, ...request },
    { id: newId('key'), digest: h.engine.digest(key), hint: keyHint(key) },
    h.clock.now,
  );
  await h.store.keys.create(record);
  return { key, record };
}

describe('verifyKey: child keys', () => {
  it('answers VALID for a child, naming its parent, with the parent consumer and the child permissions', async () => {
    const events: UsageEvent[] = [];
    h = await createHarness({ usage: { record: (event) => events.push(event) } });
    const consumer = await h.consumer();
    const parent = await h.issue({ consumerId: consumer.id, permissions: ['sessions:*', 'chargers:read'] });
    const child = await mint(parent.record, { permissions: ['sessions:read'], name: 'ci job' });
    const result = await h.engine.verifyKey(child.key, { permissions: 'sessions:read' });
    expect(result).toMatchObject({
      valid: true,
      identity: {
        keyId: child.record.id,
        parentKeyId: parent.record.id,
        permissions: ['sessions:read'],
        consumer: { id: consumer.id },
        expiresAt: T0 + 600_000,
        name: 'ci job',
      },
    });
    await expect(h.engine.verifyKey(child.key, { permissions: 'chargers:read' })).resolves.toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
    });
    await expect(h.engine.verifyKey(parent.key)).resolves.toMatchObject({ identity: { parentKeyId: null } });
    // Usage names the parent of a child's verification, and nothing for other keys.
    expect(events.map((event) => [event.code, event.keyId, event.parentKeyId])).toEqual([
      ['VALID', child.record.id, parent.record.id],
      ['INSUFFICIENT_PERMISSIONS', child.record.id, parent.record.id],
      ['VALID', parent.record.id, undefined],
    ]);
  });

  it('dies when its parent is revoked, disabled, expired or rolled, through the cache', async () => {
    for (const change of ['revoke', 'disable', 'expire', 'roll'] as const) {
      h = await createHarness();
      const parent = await h.issue({ expiresAt: T0 + 3_600_000 });
      const child = await mint(parent.record);
      await expect(h.engine.verifyKey(child.key)).resolves.toMatchObject({ code: 'VALID' });
      const { id } = parent.record;
      if (change === 'revoke') await h.store.keys.revoke(h.ws.id, id, h.clock.now);
      if (change === 'disable') await h.store.keys.update(h.ws.id, id, { enabled: false }, h.clock.now);
      if (change === 'expire') await h.store.keys.update(h.ws.id, id, { expiresAt: T0 + 1 }, h.clock.now);
      if (change === 'roll') {
        const next = generateKey(h.api.prefix);
        const digest = h.engine.digest(next);
        await h.store.keys.roll(
          h.ws.id,
          id,
          { digest, hint: keyHint(next), graceUntil: T0 + 60_000 },
          h.clock.now,
        );
      }
      h.clock.now += 10;
      // The admin API invalidates the parent only: the child's entry must go with it.
      await h.engine.invalidate({ type: 'key', keyId: id, digests: [] });
      const expected = { revoke: 'REVOKED', disable: 'DISABLED', expire: 'EXPIRED', roll: 'REVOKED' }[change];
      await expect(h.engine.verifyKey(child.key)).resolves.toMatchObject({ valid: false, code: expected });
      await h.close();
    }
    h = await createHarness();
  });

  it('refuses a child whose parent is gone or whose binding does not match', async () => {
    h = await createHarness();
    const parent = await h.issue();
    const child = await mint(parent.record);
    const forged = await mint(parent.record);
    await h.store.keys.delete(h.ws.id, forged.record.id);
    await h.store.keys.create({
      ...forged.record,
      parent: { keyId: parent.record.id, depth: 1, binding: childBinding('other') },
    });
    await expect(h.engine.verifyKey(forged.key)).resolves.toMatchObject({ code: 'REVOKED' });
    await h.store.keys.delete(h.ws.id, parent.record.id);
    await expect(h.engine.verifyKey(child.key)).resolves.toMatchObject({ code: 'REVOKED' });
  });

  it('counts the child traffic against the parent limits, and spends the parent credits', async () => {
    h = await createHarness();
    const parent = await h.issue({
      ratelimits: [{ name: 'default', limit: 3, duration: 60_000, algorithm: 'sliding_window' }],
      credits: { refill: null },
    });
    await h.store.credits.set({ kind: 'key', id: parent.record.id }, 100, { refill: null }, T0);
    const child = await mint(parent.record, {
      ratelimits: [{ name: 'own', limit: 100, duration: 60_000, algorithm: 'sliding_window' }],
    });
    await expect(h.engine.verifyKey(parent.key)).resolves.toMatchObject({ code: 'VALID' });
    await expect(h.engine.verifyKey(child.key)).resolves.toMatchObject({
      code: 'VALID',
      credits: { remaining: 98 },
    });
    await expect(h.engine.verifyKey(child.key)).resolves.toMatchObject({ code: 'VALID' });
    await expect(h.engine.verifyKey(child.key)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(h.engine.verifyKey(parent.key)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(h.store.credits.get({ kind: 'key', id: parent.record.id }, h.clock.now)).resolves.toBe(97);
  });

  it('admits only addresses both the child and the parent IP lists admit', async () => {
    h = await createHarness();
    const parent = await h.issue({ allowedIps: ['10.0.0.0/8'] });
    const child = await mint(parent.record, { allowedIps: ['10.1.0.0/16', '192.168.0.0/16'] });
    await expect(h.engine.verifyKey(child.key, { ip: '10.1.2.3' })).resolves.toMatchObject({ code: 'VALID' });
    await expect(h.engine.verifyKey(child.key, { ip: '10.2.0.1' })).resolves.toMatchObject({
      code: 'FORBIDDEN_IP',
    });
    await expect(h.engine.verifyKey(child.key, { ip: '192.168.1.1' })).resolves.toMatchObject({
      code: 'FORBIDDEN_IP',
    });
  });

  it('holds a child to the permissions its parent has now', async () => {
    h = await createHarness();
    const parent = await h.issue({ permissions: ['sessions:read', 'chargers:read'] });
    const child = await mint(parent.record, { permissions: ['chargers:read'] });
    await expect(h.engine.verifyKey(child.key, { permissions: 'chargers:read' })).resolves.toMatchObject({
      code: 'VALID',
    });
    await h.store.keys.update(h.ws.id, parent.record.id, { permissions: ['sessions:read'] }, h.clock.now);
    await h.engine.invalidate({ type: 'key', keyId: parent.record.id, digests: [] });
    await expect(h.engine.verifyKey(child.key, { permissions: 'chargers:read' })).resolves.toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
    });
  });

  it('checks a grandchild against its whole lineage', async () => {
    h = await createHarness();
    const parent = await h.issue({ permissions: ['sessions:*'] });
    const child = await mint(parent.record, { permissions: ['sessions:*'] });
    const grandchild = await mint(child.record, { permissions: ['sessions:read'] }, ['sessions:*']);
    expect(grandchild.record.parent?.depth).toBe(2);
    await expect(h.engine.verifyKey(grandchild.key)).resolves.toMatchObject({
      code: 'VALID',
      identity: { parentKeyId: child.record.id },
    });
    await h.store.keys.revoke(h.ws.id, parent.record.id, h.clock.now);
    await h.engine.invalidate({ type: 'key', keyId: parent.record.id, digests: [] });
    await expect(h.engine.verifyKey(grandchild.key)).resolves.toMatchObject({ code: 'REVOKED' });
  });
});

describe('mintChildKey', () => {
  const parent = {
    id: 'key_parent',
    workspaceId: 'ws_1',
    apiId: 'api_1',
    consumerId: 'con_1',
    digest: 'd'.repeat(64),
    hint: 'amp_live_abcd…wxyz',
    name: null,
    meta: null,
    permissions: ['chargers:read', 'sessions:*'],
    roles: [],
    ratelimits: [],
    credits: null,
    allowedIps: [],
    environment: 'test',
    enabled: true,
    disabledReason: null,
    expiresAt: T0 + 1_800_000,
    revokedAt: null,
    imported: false,
    kind: 'secret',
    createdAt: T0,
    updatedAt: T0,
  } satisfies KeyRecord;
  const secret = { id: 'key_child', digest: 'c'.repeat(64), hint: 'amp_live_x…y' };
  const attempt =
    (request: Partial<Parameters<typeof mintChildKey>[3]>, policy = DEFAULT_CHILD_KEY_POLICY) =>
    () =>
      mintChildKey(
        parent,
        parent.permissions,
        policy,
        { permissions: [], expiresIn: 60, ...request },
        secret,
        T0,
      );

  it('refuses more permissions than the parent has, naming the field', () => {
    expect(attempt({ permissions: ['sessions:read', 'chargers:*'] })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'permissions[1]' }),
    );
    expect(attempt({ permissions: ['*'] })).toThrow(expect.objectContaining({ field: 'permissions[0]' }));
    expect(attempt({ permissions: ['sessions:read:own', 'sessions:*', 'chargers:read'] })()).toMatchObject({
      permissions: ['sessions:read:own', 'sessions:*', 'chargers:read'],
    });
  });

  it('bounds expiresIn by the policy and by the parent expiry', () => {
    expect(attempt({ expiresIn: 3601 })).toThrow(expect.objectContaining({ field: 'expiresIn' }));
    expect(attempt({ expiresIn: 0 })).toThrow(expect.objectContaining({ field: 'expiresIn' }));
    expect(attempt({ expiresIn: 1801 })).toThrow(/parent key's own expiry/);
    expect(attempt({ expiresIn: 1800 })()).toMatchObject({ expiresAt: T0 + 1_800_000 });
  });

  it('refuses when the policy is off or the depth is over its maximum', () => {
    expect(attempt({}, { ...DEFAULT_CHILD_KEY_POLICY, enabled: false })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    const child = attempt({})();
    expect(child).toMatchObject({
      apiId: 'api_1',
      consumerId: 'con_1',
      environment: 'test',
      credits: null,
      roles: [],
      parent: { keyId: 'key_parent', depth: 1, binding: childBinding(parent.digest) },
    });
    expect(() =>
      mintChildKey(child, [], DEFAULT_CHILD_KEY_POLICY, { permissions: [], expiresIn: 60 }, secret, T0),
    ).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});

describe('child keys across nodes', () => {
  it("a parent's invalidation on one node drops the child's entry on another", async () => {
    const bus = createMemoryCacheBus();
    h = await createHarness({ bus });
    const other = createEngine({ store: h.store, bus, now: () => h.clock.now });
    try {
      const parent = await h.issue();
      const child = await mint(parent.record);
      await expect(other.verifyKey(child.key)).resolves.toMatchObject({ code: 'VALID' });
      await h.store.keys.revoke(h.ws.id, parent.record.id, h.clock.now);
      // Still cached on the other node until the message arrives.
      await expect(other.verifyKey(child.key)).resolves.toMatchObject({ code: 'VALID' });
      await h.engine.invalidate({ type: 'key', keyId: parent.record.id, digests: [] });
      await expect(other.verifyKey(child.key)).resolves.toMatchObject({ code: 'REVOKED' });
    } finally {
      await other.close();
    }
  });
});
