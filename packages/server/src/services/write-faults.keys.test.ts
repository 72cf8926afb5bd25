import { KeywardError, newId } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from './apis.js';
import { mintChild } from './child-keys.js';
import { createIdempotency } from './idempotency.js';
import { importKeys } from './key-import.js';
import { deleteKey, revokeKey, rollKey } from './key-lifecycle.js';
import { attachRoles, detachRole } from './key-roles.js';
import { createKey, updateKey } from './keys.js';
import { createRole } from './roles.js';
import { expectAllOrNothing, type FaultBackend, faultBackends } from './write-faults.fixtures.js';

/**
 * Every key write commits whole or not at all: the key, its consumer (created from an
 * external id), its credit balance, its audit event and its webhook outbox rows. Each step
 * of each write is failed in turn; see `write-faults.fixtures.ts`.
 */
for (const [name, open] of await faultBackends()) {
  describe(`key writes are all or nothing: ${name}`, () => {
    let b: FaultBackend;
    let apiId = '';
    beforeAll(async () => {
      b = await open();
      apiId = (await createApi(b.deps, b.actor, { name: 'Charging', prefix: 'amp' })).id;
      await createRole(b.deps, b.actor, { name: 'driver', permissions: ['sessions:read'] });
      await createRole(b.deps, b.actor, { name: 'viewer', permissions: ['stations:read'] });
      // Every key event goes to the outbox, in the same transaction as the write.
      await b.webhooks.createEndpoint({
        id: newId('wh'),
        workspaceId: b.actor.workspaceId,
        url: 'https://example.com/hook',
        description: null,
        events: ['key.created', 'key.updated', 'key.rolled', 'key.revoked'],
        enabled: true,
        secret: 'whsec_faults',
        createdAt: 1,
        updatedAt: 1,
      });
    });
    afterAll(async () => {
      await b?.cleanup();
    });

    const audited = async (action: string, targetId: string) =>
      (await b.store.audit.list(b.actor.workspaceId, { action, targetId })).items;
    const queued = async (type: string) => {
      const { items } = await b.webhooks.listEndpoints(b.actor.workspaceId, {});
      const [endpoint] = items;
      if (endpoint === undefined) throw new Error('no endpoint');
      return (await b.webhooks.claim(Number.MAX_SAFE_INTEGER, 1000, 1)).filter(
        (claimed) => claimed.message.eventType === type,
      );
    };
    const issue = (externalId: string) =>
      createKey(b.deps, b.actor, {
        apiId,
        externalId,
        roles: ['driver'],
        credits: { remaining: 10, refill: { interval: 'daily', amount: 10 } },
      });

    it('create: consumer, key, balance, audit and outbox together', async () => {
      const { result, steps } = await expectAllOrNothing(b, () => issue(`cust_${newId('req')}`));
      expect(steps).toBeGreaterThanOrEqual(5);
      const key = await b.store.keys.get(b.actor.workspaceId, result.id);
      expect(key).toMatchObject({ id: result.id, credits: { refill: { interval: 'daily', amount: 10 } } });
      await expect(b.store.credits.get({ kind: 'key', id: result.id }, Date.UTC(2030, 0, 1))).resolves.toBe(
        10,
      );
      expect(result.consumerId).not.toBeNull();
      await expect(
        b.store.consumers.get(b.actor.workspaceId, result.consumerId as string),
      ).resolves.not.toBeNull();
      expect(await audited('key.create', result.id)).toHaveLength(1);
      expect(await audited('consumer.create', result.consumerId as string)).toHaveLength(1);
      expect(await queued('key.created')).toHaveLength(1);
      // Announced once, after the commit.
      expect(b.effects.invalidations.at(-1)).toMatchObject({ type: 'key', keyId: result.id });
      expect(b.effects.reloads.at(-1)).toEqual({ kind: 'key', id: result.id });
    });

    it('update: settings, new owner and balance together', async () => {
      const issued = await issue(`cust_${newId('req')}`);
      // Spent once: the balance is now held where verifications spend (in memory on SQLite).
      await expect(b.deps.engine.verifyKey(issued.key)).resolves.toMatchObject({ credits: { remaining: 9 } });
      const owner = `cust_${newId('req')}`;
      const { result } = await expectAllOrNothing(b, () =>
        updateKey(b.deps, b.actor, issued.id, {
          name: 'renamed',
          externalId: owner,
          credits: { remaining: 3, refill: null },
        }),
      );
      expect(result).toMatchObject({ name: 'renamed', credits: { remaining: 3, refill: null } });
      const consumer = await b.store.consumers.getByExternalId(b.actor.workspaceId, owner);
      expect(result.consumerId).toBe(consumer?.id);
      await expect(b.store.credits.get({ kind: 'key', id: issued.id }, Date.UTC(2030, 0, 1))).resolves.toBe(
        3,
      );
      expect(await audited('key.update', issued.id)).toHaveLength(1);
      expect(b.effects.invalidations.at(-1)).toMatchObject({ type: 'key', keyId: issued.id });
      // The committed balance replaced the one held for spending.
      await expect(b.deps.engine.verifyKey(issued.key)).resolves.toMatchObject({ credits: { remaining: 2 } });
    });

    it('an idempotent create: the key and the reply that replays it together', async () => {
      const idempotency = createIdempotency(b.deps);
      const replaySecret = Buffer.alloc(32, 7);
      const externalId = `cust_${newId('req')}`;
      const request = {
        idempotencyKey: `order-${newId('req')}`,
        route: 'POST /v1/keys',
        body: { externalId },
        replaySecret,
      };
      const create = () =>
        idempotency.run(b.actor.workspaceId, request, async (tx) => ({
          status: 201,
          body: await createKey(tx, b.actor, { apiId, externalId }),
        }));
      // The reply is stored in the create's transaction: failing its store rolls the key back too.
      const { result, steps } = await expectAllOrNothing(b, create);
      expect(result.replayed).toBe(false);
      expect(steps).toBeGreaterThanOrEqual(5);
      const issued = result.body as { id: string; key: string };
      const replay = await create();
      expect(replay).toMatchObject({ replayed: true, status: 201 });
      expect((replay.body as { id: string; key: string }).key).toBe(issued.key);
      const consumer = await b.store.consumers.getByExternalId(b.actor.workspaceId, externalId);
      const held = await b.store.keys.list(b.actor.workspaceId, { consumerId: consumer?.id as string });
      expect(held.items.map((k) => k.id)).toEqual([issued.id]);
    });

    it('roll, revoke and delete', async () => {
      const issued = await issue(`cust_${newId('req')}`);
      const rolled = await expectAllOrNothing(b, () => rollKey(b.deps, b.actor, issued.id, 60_000));
      expect(rolled.result.key).not.toBe(issued.key);
      expect(await audited('key.roll', issued.id)).toHaveLength(1);
      const revoked = await expectAllOrNothing(b, () => revokeKey(b.deps, b.actor, issued.id));
      expect(revoked.result.status).toBe('revoked');
      expect(await audited('key.revoke', issued.id)).toHaveLength(1);
      await expectAllOrNothing(b, () => deleteKey(b.deps, b.actor, issued.id));
      await expect(b.store.keys.get(b.actor.workspaceId, issued.id)).resolves.toBeNull();
      await expect(
        b.store.credits.get({ kind: 'key', id: issued.id }, Date.UTC(2030, 0, 1)),
      ).resolves.toBeNull();
      expect(await audited('key.delete', issued.id)).toHaveLength(1);
    });

    it('mint a child, then revoke its parent (and the child with it): all or nothing', async () => {
      const parent = await createKey(b.deps, b.actor, { apiId, permissions: ['sessions:*'] });
      const verified = await b.deps.engine.verifyKey(parent.key);
      if (!verified.valid) throw new Error('the parent key does not verify');
      const minted = await expectAllOrNothing(b, () =>
        mintChild(
          b.deps,
          verified.identity,
          { permissions: ['sessions:read'], expiresIn: 60 },
          { ip: null, requestId: null },
        ),
      );
      expect(minted.result.parentKeyId).toBe(parent.id);
      expect(await audited('key.create_child', minted.result.id)).toHaveLength(1);
      await expectAllOrNothing(b, () => revokeKey(b.deps, b.actor, parent.id));
      await expect(b.store.keys.get(b.actor.workspaceId, minted.result.id)).resolves.toMatchObject({
        revokedAt: expect.any(Number),
      });
      expect(await audited('key.revoke', minted.result.id)).toHaveLength(1);
    });

    it('import: every key and balance, or none', async () => {
      const { result, steps } = await expectAllOrNothing(b, () =>
        importKeys(b.deps, b.actor, {
          apiId,
          keys: [
            { plaintext: `legacy_${newId('req')}_one`, credits: { remaining: 5, refill: null } },
            { plaintext: `legacy_${newId('req')}_two`, externalId: `cust_${newId('req')}` },
          ],
        }),
      );
      expect(steps).toBeGreaterThanOrEqual(4);
      expect(result.items).toHaveLength(2);
      const [first] = result.items;
      await expect(
        b.store.credits.get({ kind: 'key', id: first?.id as string }, Date.UTC(2030, 0, 1)),
      ).resolves.toBe(5);
    });

    it('roles attached and detached', async () => {
      const issued = await issue(`cust_${newId('req')}`);
      const attached = await expectAllOrNothing(b, () => attachRoles(b.deps, b.actor, issued.id, ['viewer']));
      expect(attached.result.roles).toEqual(['driver', 'viewer']);
      const detached = await expectAllOrNothing(b, () => detachRole(b.deps, b.actor, issued.id, 'driver'));
      expect(detached.result.roles).toEqual(['viewer']);
    });
  });
}

describe('after the commit', () => {
  it('runs every announcement even when one fails, then answers with that failure', async () => {
    const [[, open]] = (await faultBackends()) as [[string, () => Promise<FaultBackend>]];
    const b = await open();
    try {
      const { id: apiId } = await createApi(b.deps, b.actor, { name: 'Charging', prefix: 'amp' });
      const redisDown = new KeywardError('UNAVAILABLE', 'Redis is unavailable; retry later');
      const deps = {
        ...b.deps,
        store: {
          ...b.deps.store,
          credits: { ...b.deps.store.credits, reload: () => Promise.reject(redisDown) },
        },
      };
      const issuing = createKey(deps, b.actor, { apiId, credits: { remaining: 5, refill: null } });
      await expect(issuing).rejects.toBe(redisDown);
      // Committed, and the cache invalidation went out despite the failed credit reload.
      const [created] = (await b.store.keys.list(b.actor.workspaceId, { apiId })).items;
      expect(created).toBeDefined();
      expect(b.effects.invalidations.at(-1)).toMatchObject({ type: 'key', keyId: created?.id });
    } finally {
      await b.cleanup();
    }
  });
});
