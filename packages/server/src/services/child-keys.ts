import {
  type ChildKeyPolicy,
  DEFAULT_CHILD_KEY_POLICY,
  generateKey,
  type KeyRecord,
  KeywardError,
  keyHint,
  mintChildKey,
  newId,
  type VerifiedIdentity,
} from '@keyward/core';
import type { ChildKeyPolicyBody, ChildKeyPolicyView, IssuedKey, MintChildKeyBody } from '@keyward/protocol';
import { requireApi } from './apis.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { checkAllowedIps, checkPermissions, checkRateLimits, inPart } from './input-checks.js';
import { invalidateKey, viewKey } from './keys.js';
import { write } from './transaction.js';
import { publishEvent } from './webhook-events.js';

/** The API's child-key policy: the stored one, else `DEFAULT_CHILD_KEY_POLICY`. */
async function policyOf(deps: ServiceDeps, workspaceId: string, apiId: string): Promise<ChildKeyPolicy> {
  return (await deps.store.childKeyPolicies.get(workspaceId, apiId)) ?? DEFAULT_CHILD_KEY_POLICY;
}

const policyView = (apiId: string, policy: ChildKeyPolicy, custom: boolean): ChildKeyPolicyView => ({
  apiId,
  enabled: policy.enabled,
  maxExpiresInSeconds: policy.maxExpiresInSeconds,
  maxDepth: policy.maxDepth,
  custom,
});

export async function getChildKeyPolicy(
  deps: ServiceDeps,
  actor: Actor,
  apiId: string,
): Promise<ChildKeyPolicyView> {
  await requireApi(deps, actor, apiId);
  const stored = await deps.store.childKeyPolicies.get(actor.workspaceId, apiId);
  return policyView(apiId, stored ?? DEFAULT_CHILD_KEY_POLICY, stored !== null);
}

/**
 * Replaces an API's child-key policy (audited as `child_key_policy.update`). It governs
 * minting only: children minted before keep their expiry (short by design), so no cache
 * entry depends on it.
 */
export async function putChildKeyPolicy(
  root: ServiceDeps,
  actor: Actor,
  apiId: string,
  body: ChildKeyPolicyBody,
): Promise<ChildKeyPolicyView> {
  return write(root, async (deps) => {
    await requireApi(deps, actor, apiId);
    const stored = await deps.store.childKeyPolicies.get(actor.workspaceId, apiId);
    const before = stored === null ? null : policyView(apiId, stored, true);
    const policy: ChildKeyPolicy = {
      enabled: body.enabled,
      maxExpiresInSeconds: body.maxExpiresInSeconds,
      maxDepth: body.maxDepth,
    };
    await deps.store.childKeyPolicies.put(actor.workspaceId, apiId, policy, deps.now());
    const after = policyView(apiId, policy, true);
    await recordAudit(deps, actor, {
      action: 'child_key_policy.update',
      targetType: 'api',
      targetId: apiId,
      before,
      after,
    });
    return after;
  });
}

/** Where a mint request came from (for the audit event). */
export interface MintOrigin {
  ip: string | null;
  requestId: string | null;
}

/**
 * Mints a child of the key that authenticated the request (`identity`, just verified by the
 * engine): the body checked, then `mintChildKey` holds it to the parent and the API's policy,
 * then the child and its audit event (actor: the parent key's id) commit together. The
 * plaintext is in the reply only.
 */
export async function mintChild(
  root: ServiceDeps,
  identity: VerifiedIdentity,
  body: MintChildKeyBody,
  origin: MintOrigin,
): Promise<IssuedKey> {
  const permissions = checkPermissions(body.permissions, 'body.permissions');
  const ratelimits = checkRateLimits(body.ratelimits ?? [], 'body.ratelimits');
  const allowedIps = checkAllowedIps(body.allowedIps ?? [], 'body.allowedIps');
  const actor: Actor = {
    workspaceId: identity.workspaceId,
    rootKeyId: identity.keyId,
    permissions: [],
    ip: origin.ip,
    requestId: origin.requestId,
  };
  return write(root, async (deps) => {
    const parent = await deps.store.keys.get(identity.workspaceId, identity.keyId);
    // Verified a moment ago; gone since (deleted in between): as if it never verified.
    if (parent === null) throw new KeywardError('UNAUTHORIZED', 'the key is invalid');
    const api = await deps.store.apis.get(parent.workspaceId, parent.apiId);
    if (api === null) throw new KeywardError('UNAUTHORIZED', 'the key is invalid');
    const policy = await policyOf(deps, parent.workspaceId, parent.apiId);
    const plaintext = generateKey(api.prefix);
    const now = deps.now();
    let child: KeyRecord;
    try {
      child = mintChildKey(
        parent,
        identity.permissions,
        policy,
        { permissions, expiresIn: body.expiresIn, ratelimits, allowedIps, name: body.name ?? null },
        { id: newId('key'), digest: deps.engine.digest(plaintext), hint: keyHint(plaintext) },
        now,
      );
    } catch (error) {
      throw inPart(error, 'body');
    }
    await deps.store.keys.create(child);
    // A negative cache entry for the new digest must die.
    await deps.engine.invalidate({ type: 'key', keyId: child.id, digests: [child.digest] });
    const view = await viewKey(deps, child);
    await recordAudit(deps, actor, {
      action: 'key.create_child',
      targetType: 'key',
      targetId: child.id,
      before: null,
      after: view,
    });
    await publishEvent(deps, actor.workspaceId, 'key.created', { key: view });
    return { ...view, key: plaintext };
  });
}

/**
 * Revokes every descendant of a key that was just revoked, disabled or rolled (in the
 * caller's transaction): each gets its own `key.revoke` audit event (no `before`: it went
 * with its parent) and cache invalidation.
 * The engine refuses such children by itself too; this makes their death visible and final.
 */
export async function revokeDescendants(deps: ServiceDeps, actor: Actor, parentId: string): Promise<void> {
  const now = deps.now();
  const revoked = await deps.store.keys.revokeDescendants(actor.workspaceId, parentId, now);
  for (const child of revoked) {
    await invalidateKey(deps, child.id);
    const after = await viewKey(deps, child);
    await recordAudit(deps, actor, {
      action: 'key.revoke',
      targetType: 'key',
      targetId: child.id,
      before: null,
      after,
    });
  }
}
