import { generateKey, KeywardError, keyHint } from '@keyward/core';
import type { IssuedKey, KeyView } from '@keyward/protocol';
import { requireApi } from './apis.js';
import { recordAudit } from './audit.js';
import { revokeDescendants } from './child-keys.js';
import type { Actor, ServiceDeps } from './context.js';
import { invalidateKey, requireKey, viewKey } from './keys.js';
import { keyPrefixFor } from './publishable.js';
import { write } from './transaction.js';
import { publishEvent } from './webhook-events.js';

const notFound = () => new KeywardError('NOT_FOUND', 'key not found');

/**
 * Revokes a key for good. Idempotent: revoking a revoked key answers its view and changes
 * and records nothing (no second audit event, no second `key.revoked`).
 */
export async function revokeKey(root: ServiceDeps, actor: Actor, id: string): Promise<KeyView> {
  return write(root, async (deps) => {
    const current = await requireKey(deps, actor, id, 'keys:write');
    const before = await viewKey(deps, current);
    if (current.revokedAt !== null) return before;
    const revoked = await deps.store.keys.revoke(actor.workspaceId, id, deps.now());
    if (revoked === null) throw notFound();
    await invalidateKey(deps, id);
    await revokeDescendants(deps, actor, id);
    const view = await viewKey(deps, revoked);
    await recordAudit(deps, actor, {
      action: 'key.revoke',
      targetType: 'key',
      targetId: id,
      before,
      after: view,
    });
    await publishEvent(deps, actor.workspaceId, 'key.revoked', { key: view });
    return view;
  });
}

/**
 * Issues a new secret for a key (with its API's current prefix) and keeps the old one
 * verifying for `gracePeriodMs` (0: it stops at once), after which it answers like a
 * revoked key. A revoked key cannot be rolled (`CONFLICT`).
 */
export async function rollKey(
  root: ServiceDeps,
  actor: Actor,
  id: string,
  gracePeriodMs: number,
): Promise<IssuedKey> {
  return write(root, async (deps) => {
    const current = await requireKey(deps, actor, id, 'keys:write');
    if (current.revokedAt !== null) throw new KeywardError('CONFLICT', 'a revoked key cannot be rolled');
    const api = await requireApi(deps, actor, current.apiId);
    const before = await viewKey(deps, current);
    const plaintext = generateKey(keyPrefixFor(api, current.kind));
    const now = deps.now();
    const next = {
      digest: deps.engine.digest(plaintext),
      hint: keyHint(plaintext),
      graceUntil: now + gracePeriodMs,
    };
    const rolled = await deps.store.keys.roll(actor.workspaceId, id, next, now);
    if (rolled === null) throw notFound();
    await deps.engine.invalidate({ type: 'key', keyId: id, digests: [rolled.oldDigest, next.digest] });
    // Children are bound to the secret they were minted under: they die with it.
    await revokeDescendants(deps, actor, id);
    const view = await viewKey(deps, rolled.key);
    await recordAudit(deps, actor, {
      action: 'key.roll',
      targetType: 'key',
      targetId: id,
      before,
      after: view,
    });
    await publishEvent(deps, actor.workspaceId, 'key.rolled', { key: view, graceUntil: next.graceUntil });
    return { ...view, key: plaintext };
  });
}

/** Deletes a key and its previous digests; its quota balance goes with it. */
export async function deleteKey(root: ServiceDeps, actor: Actor, id: string): Promise<void> {
  return write(root, async (deps) => {
    const before = await viewKey(deps, await requireKey(deps, actor, id, 'keys:write'));
    await revokeDescendants(deps, actor, id);
    const digests = await deps.store.keys.delete(actor.workspaceId, id);
    if (digests === null) throw notFound();
    await deps.store.credits.set({ kind: 'key', id }, null, null, deps.now());
    await deps.engine.invalidate({ type: 'key', keyId: id, digests });
    await recordAudit(deps, actor, {
      action: 'key.delete',
      targetType: 'key',
      targetId: id,
      before,
      after: null,
    });
  });
}
