import { createEngine, newId } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRootKey } from '../root-keys.js';
import { acknowledgeAlert, putPolicy } from './alerts.js';
import { createApi, deleteApi, updateApi } from './apis.js';
import { createConsumer, deleteConsumer, updateConsumer } from './consumers.js';
import { createKey } from './keys.js';
import { createRole, deleteRole, updateRole } from './roles.js';
import { createRootKey, revokeRootKey, rollRootKey } from './root-keys.js';
import { createWebhook, deleteWebhook, rotateWebhookSecret, updateWebhook } from './webhooks.js';
import { expectAllOrNothing, type FaultBackend, faultBackends } from './write-faults.fixtures.js';

const T0 = Date.UTC(2030, 0, 1);

/**
 * Every other admin write commits whole or not at all, with its audit event (and its
 * credit balance, its keys' role lists, its outbox rows): each step is failed in turn.
 */
for (const [name, open] of await faultBackends()) {
  describe(`admin writes are all or nothing: ${name}`, () => {
    let b: FaultBackend;
    beforeAll(async () => {
      b = await open();
    });
    afterAll(async () => {
      await b?.cleanup();
    });

    const audited = async (action: string, targetId: string) =>
      (await b.store.audit.list(b.actor.workspaceId, { action, targetId })).items;

    it('consumers: create, update and delete with their balance', async () => {
      const created = await expectAllOrNothing(b, () =>
        createConsumer(b.deps, b.actor, {
          externalId: `cust_${newId('req')}`,
          credits: { remaining: 7, refill: null },
        }),
      );
      const id = created.result.id;
      const owner = { kind: 'consumer' as const, id };
      await expect(b.store.credits.get(owner, T0)).resolves.toBe(7);
      expect(await audited('consumer.create', id)).toHaveLength(1);
      const updated = await expectAllOrNothing(b, () =>
        updateConsumer(b.deps, b.actor, id, { name: 'Ionity', credits: { remaining: 2, refill: null } }),
      );
      expect(updated.result).toMatchObject({ name: 'Ionity', credits: { remaining: 2 } });
      await expect(b.store.credits.get(owner, T0)).resolves.toBe(2);
      expect(b.effects.invalidations.at(-1)).toEqual({ type: 'consumer', consumerId: id });
      await expectAllOrNothing(b, () => deleteConsumer(b.deps, b.actor, id));
      await expect(b.store.consumers.get(b.actor.workspaceId, id)).resolves.toBeNull();
      await expect(b.store.credits.get(owner, T0)).resolves.toBeNull();
      expect(await audited('consumer.delete', id)).toHaveLength(1);
    });

    it('roles: create, update, and delete taken off every key that named it', async () => {
      const api = await createApi(b.deps, b.actor, { name: `api ${newId('req')}`, prefix: 'rol' });
      const role = await expectAllOrNothing(b, () =>
        createRole(b.deps, b.actor, { name: `ops_${newId('req').slice(-6)}`, permissions: ['a:read'] }),
      );
      const { id, name: roleName } = role.result;
      const updated = await expectAllOrNothing(b, () =>
        updateRole(b.deps, b.actor, id, { permissions: ['a:read', 'a:write'] }),
      );
      expect(updated.result.permissions).toEqual(['a:read', 'a:write']);
      const holders = [
        await createKey(b.deps, b.actor, { apiId: api.id, roles: [roleName] }),
        await createKey(b.deps, b.actor, { apiId: api.id, roles: [roleName] }),
      ];
      const deleted = await expectAllOrNothing(b, () => deleteRole(b.deps, b.actor, id));
      // The role and both keys' mention of it: each was failed in turn.
      expect(deleted.steps).toBeGreaterThanOrEqual(5);
      for (const holder of holders) {
        await expect(b.store.keys.get(b.actor.workspaceId, holder.id)).resolves.toMatchObject({ roles: [] });
      }
      expect(await audited('role.delete', id)).toHaveLength(1);
    });

    it('root keys: create, roll and revoke (and forget the cached one after the commit)', async () => {
      const created = await expectAllOrNothing(b, () =>
        createRootKey(b.deps, b.actor, { name: 'ci', permissions: ['keys:read'] }),
      );
      const id = created.result.id;
      expect(await audited('root_key.create', id)).toHaveLength(1);
      await expectAllOrNothing(b, () => rollRootKey(b.deps, b.actor, id));
      expect(b.effects.forgotten.at(-1)).toBe(id);
      const revoked = await expectAllOrNothing(b, () => revokeRootKey(b.deps, b.actor, id));
      expect(revoked.result.revokedAt).not.toBeNull();
      expect(await audited('root_key.revoke', id)).toHaveLength(1);
    });

    it('root keys issued at the command line: the key and its audit event', async () => {
      const engine = createEngine({ store: b.store });
      try {
        const { result } = await expectAllOrNothing(b, () =>
          issueRootKey(
            { store: b.deps.store, engine, now: () => T0 },
            { workspaceId: b.actor.workspaceId, permissions: ['*'] },
          ),
        );
        expect(await audited('root_key.create', result.rootKey.id)).toHaveLength(1);
      } finally {
        await engine.close();
      }
    });

    it('APIs: create, update and delete with their keys', async () => {
      const created = await expectAllOrNothing(b, () =>
        createApi(b.deps, b.actor, { name: 'Maps', prefix: 'map' }),
      );
      const id = created.result.id;
      await expectAllOrNothing(b, () => updateApi(b.deps, b.actor, id, { name: 'Maps v2' }));
      const key = await createKey(b.deps, b.actor, { apiId: id });
      await expectAllOrNothing(b, () => deleteApi(b.deps, b.actor, id));
      await expect(b.store.keys.get(b.actor.workspaceId, key.id)).resolves.toBeNull();
      expect(await audited('api.delete', id)).toHaveLength(1);
      expect(b.effects.invalidations.at(-1)).toEqual({ type: 'workspace', workspaceId: b.actor.workspaceId });
    });

    it('webhooks: create, update, rotate the secret and delete', async () => {
      const created = await expectAllOrNothing(b, () =>
        createWebhook(b.deps, b.actor, { url: 'https://example.com/hook', events: ['key.created'] }),
      );
      const id = created.result.id;
      expect(await audited('webhook.create', id)).toHaveLength(1);
      await expectAllOrNothing(b, () => updateWebhook(b.deps, b.actor, id, { description: 'ops' }));
      const rotated = await expectAllOrNothing(b, () => rotateWebhookSecret(b.deps, b.actor, id));
      await expect(b.webhooks.getEndpoint(b.actor.workspaceId, id)).resolves.toMatchObject({
        secret: rotated.result.secret,
      });
      await expectAllOrNothing(b, () => deleteWebhook(b.deps, b.actor, id));
      await expect(b.webhooks.getEndpoint(b.actor.workspaceId, id)).resolves.toBeNull();
    });

    it('alerts acknowledged and policies replaced, with their audit events', async () => {
      const { raised } = await b.monitoring.alerts.sync(
        b.actor.workspaceId,
        ['brute_force'],
        [
          {
            detector: 'brute_force',
            subject: { type: 'ip', id: '203.0.113.9' },
            severity: 'warning',
            summary: 'unknown keys from one address',
            evidence: { attempts: 150 },
          },
        ],
        T0,
      );
      const [alert] = raised;
      if (alert === undefined) throw new Error('no alert raised');
      const acknowledged = await expectAllOrNothing(b, () => acknowledgeAlert(b.deps, b.actor, alert.id));
      expect(acknowledged.result.status).toBe('acknowledged');
      await expectAllOrNothing(b, () => putPolicy(b.deps, b.actor, { quarantine: ['ip_spread'] }));
      await expect(b.monitoring.policies.get(b.actor.workspaceId)).resolves.toMatchObject({
        quarantine: ['ip_spread'],
      });
      expect(await audited('workspace.policy.update', b.actor.workspaceId)).toHaveLength(1);
    });
  });
}
