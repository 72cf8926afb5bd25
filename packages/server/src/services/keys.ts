import {
  generateKey,
  type KeyListQuery,
  type KeyPatch,
  type KeyRecord,
  KeywardError,
  keyHint,
  newId,
  type Page,
} from '@keyward/core';
import type { CreateKeyBody, IssuedKey, KeyView, ListKeysQuery, UpdateKeyBody } from '@keyward/protocol';
import { consumerView, keyView } from '../views.js';
import { keyAccess, requireApiAccess, requireApiNamed } from './api-access.js';
import { requireApi } from './apis.js';
import { recordAudit } from './audit.js';
import { revokeDescendants } from './child-keys.js';
import { insertConsumer } from './consumers.js';
import type { Actor, ServiceDeps } from './context.js';
import { applyMaxTtl } from './key-lifetime.js';
import { checkKeySettings, newKeyFields, resolveOwner } from './key-settings.js';
import { listPage } from './pagination.js';
import { checkPublishableCreate, checkPublishableUpdate, keyPrefixFor } from './publishable.js';
import { write } from './transaction.js';
import { publishEvent } from './webhook-events.js';

const notFound = () => new KeywardError('NOT_FOUND', 'key not found');

/**
 * The key of this workspace, or `NOT_FOUND`; also `NOT_FOUND` when the actor is scoped to
 * other APIs (it cannot tell such a key from none), `FORBIDDEN` when it may read the key's
 * API but not `access` it.
 */
export async function requireKey(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  access: 'keys:read' | 'keys:write',
): Promise<KeyRecord> {
  const key = await deps.store.keys.get(actor.workspaceId, id);
  if (key === null) throw notFound();
  const allowed = keyAccess(actor, access, key.apiId);
  if (allowed === 'hidden') throw notFound();
  if (allowed === 'forbidden') {
    throw new KeywardError('FORBIDDEN', `this root key lacks "${access}" for the API of this key`);
  }
  return key;
}

export async function viewKey(deps: ServiceDeps, key: KeyRecord): Promise<KeyView> {
  const now = deps.now();
  return keyView(key, await deps.store.credits.get({ kind: 'key', id: key.id }, now), now);
}

/** Creates the consumer an unknown external id names (audited as `consumer.create`); returns its id. */
export async function ensureConsumer(
  deps: ServiceDeps,
  actor: Actor,
  owner: { id: string } | { externalId: string } | null | undefined,
): Promise<string | null> {
  if (owner === null || owner === undefined) return null;
  if ('id' in owner) return owner.id;
  const consumer = await insertConsumer(deps, actor, { externalId: owner.externalId });
  const after = consumerView(consumer, null);
  await recordAudit(deps, actor, {
    action: 'consumer.create',
    targetType: 'consumer',
    targetId: consumer.id,
    before: null,
    after,
  });
  return consumer.id;
}

/**
 * Issues a key: every check first, then the consumer (when an unknown external id names
 * one), the key, its quota, a cache invalidation (a negative entry for the new digest
 * must die) and the audit event. The plaintext is in the reply only.
 */
export async function createKey(root: ServiceDeps, actor: Actor, body: CreateKeyBody): Promise<IssuedKey> {
  return write(root, async (deps) => {
    const api = await requireApi(deps, actor, body.apiId, 'body.apiId');
    requireApiAccess(actor, 'keys:write', api.id, 'body.apiId');
    checkPublishableCreate(api, body);
    const kind = body.kind ?? 'secret';
    const checked = await checkKeySettings(deps, actor, body, 'body');
    const settings = await applyMaxTtl(deps, actor.workspaceId, api.id, checked, 'body', { creating: true });
    const owner = await resolveOwner(deps, actor, body, 'body');
    const consumerId = await ensureConsumer(deps, actor, owner);
    const plaintext = generateKey(keyPrefixFor(api, kind));
    const now = deps.now();
    const key: KeyRecord = {
      id: newId('key'),
      workspaceId: actor.workspaceId,
      apiId: api.id,
      consumerId,
      digest: deps.engine.digest(plaintext),
      hint: keyHint(plaintext),
      ...newKeyFields(settings),
      environment: body.environment ?? 'live',
      kind,
      disabledReason: null,
      revokedAt: null,
      imported: false,
      createdAt: now,
      updatedAt: now,
    };
    await deps.store.keys.create(key);
    if (settings.credits) {
      await deps.store.credits.set(
        { kind: 'key', id: key.id },
        settings.credits.remaining,
        settings.credits.config,
        now,
      );
    }
    await deps.engine.invalidate({ type: 'key', keyId: key.id, digests: [key.digest] });
    const view = await viewKey(deps, key);
    await recordAudit(deps, actor, {
      action: 'key.create',
      targetType: 'key',
      targetId: key.id,
      before: null,
      after: view,
    });
    await publishEvent(deps, actor.workspaceId, 'key.created', { key: view });
    return { ...view, key: plaintext };
  });
}

export const getKey = async (deps: ServiceDeps, actor: Actor, id: string): Promise<KeyView> =>
  viewKey(deps, await requireKey(deps, actor, id, 'keys:read'));

export async function listKeys(
  deps: ServiceDeps,
  actor: Actor,
  query: ListKeysQuery,
): Promise<Page<KeyView>> {
  const { externalId, state, ...fields } = query;
  requireApiNamed(actor, 'keys:read', fields.apiId, 'querystring.apiId');
  const rest: KeyListQuery = {
    ...fields,
    ...(state === undefined ? {} : { state: { is: state, at: deps.now() } }),
  };
  if (externalId !== undefined) {
    const consumer = await deps.store.consumers.getByExternalId(actor.workspaceId, externalId);
    if (consumer === null || (rest.consumerId !== undefined && rest.consumerId !== consumer.id)) {
      return { items: [], nextCursor: null };
    }
    rest.consumerId = consumer.id;
  }
  const page = await listPage(() => deps.store.keys.list(actor.workspaceId, rest));
  return { items: await Promise.all(page.items.map((k) => viewKey(deps, k))), nextCursor: page.nextCursor };
}

/** Drops every node's cache entries of a key (all its digests), after a store write. */
export async function invalidateKey(deps: ServiceDeps, keyId: string): Promise<void> {
  await deps.engine.invalidate({ type: 'key', keyId, digests: await deps.store.keys.digests(keyId) });
}

export async function updateKey(
  root: ServiceDeps,
  actor: Actor,
  id: string,
  body: UpdateKeyBody,
): Promise<KeyView> {
  return write(root, async (deps) => {
    const current = await requireKey(deps, actor, id, 'keys:write');
    checkPublishableUpdate(current.kind, body.credits);
    const checked = await checkKeySettings(deps, actor, body, 'body');
    const settings = await applyMaxTtl(deps, actor.workspaceId, current.apiId, checked, 'body', {
      creating: false,
    });
    const owner = await resolveOwner(deps, actor, body, 'body');
    const before = await viewKey(deps, current);
    const { credits, ...fields } = settings;
    const patch: KeyPatch = { ...fields };
    if (credits !== undefined) patch.credits = credits?.config ?? null;
    if (body.disabledReason !== undefined) patch.disabledReason = body.disabledReason;
    else if (body.enabled === true) patch.disabledReason = null;
    if (owner !== undefined) patch.consumerId = await ensureConsumer(deps, actor, owner);
    const now = deps.now();
    const updated = await deps.store.keys.update(actor.workspaceId, id, patch, now);
    if (updated === null) throw notFound();
    if (credits !== undefined) {
      await deps.store.credits.set(
        { kind: 'key', id },
        credits?.remaining ?? null,
        credits?.config ?? null,
        now,
      );
    }
    await invalidateKey(deps, id);
    // A disabled parent's children die for good (re-enabling the parent does not revive them).
    if (current.enabled && !updated.enabled) await revokeDescendants(deps, actor, id);
    const view = await viewKey(deps, updated);
    await recordAudit(deps, actor, {
      action: 'key.update',
      targetType: 'key',
      targetId: id,
      before,
      after: view,
    });
    await publishEvent(deps, actor.workspaceId, 'key.updated', { key: view, previous: before });
    return view;
  });
}
