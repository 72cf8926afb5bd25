import { generateKey, KeywardError, keyHint, type Page, type PageQuery, type RootKey } from '@keyward/core';
import type { CreateRootKeyBody, IssuedRootKey, RootKeyView } from '@keyward/protocol';
import { issueRootKey, ROOT_KEY_PREFIX } from '../root-keys.js';
import { checkRootPermissions, coversAll, holdsPermission } from '../root-permissions.js';
import { rootKeyView } from '../views.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { listPage } from './pagination.js';
import { write } from './transaction.js';

const notFound = () => new KeywardError('NOT_FOUND', 'root key not found');

async function requireRootKey(deps: ServiceDeps, actor: Actor, id: string): Promise<RootKey> {
  const rootKey = await deps.store.rootKeys.get(actor.workspaceId, id);
  if (rootKey === null) throw notFound();
  return rootKey;
}

/**
 * The root key `id`, when the actor's authority covers all of it: a root key never obtains
 * (roll answers the new secret), changes or revokes a credential stronger than itself.
 * A stronger key is `FORBIDDEN`: it is visible anyway through `root_keys:read`.
 */
async function requireWeakerRootKey(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  verb: string,
): Promise<RootKey> {
  const target = await requireRootKey(deps, actor, id);
  if (!coversAll(actor.permissions, target.permissions)) {
    throw new KeywardError(
      'FORBIDDEN',
      `this root key cannot ${verb} a root key holding permissions it does not hold itself`,
    );
  }
  return target;
}

/** A root key may only grant what its creator holds (no escalation through `root_keys:write`). */
export async function createRootKey(
  root: ServiceDeps,
  actor: Actor,
  body: CreateRootKeyBody,
): Promise<IssuedRootKey> {
  return write(root, async (deps) => {
    const permissions = checkRootPermissions(body.permissions, 'body.permissions');
    permissions.forEach((permission, i) => {
      if (!holdsPermission(actor.permissions, permission)) {
        throw new KeywardError(
          'FORBIDDEN',
          `body.permissions[${i}] "${permission}" exceeds this root key's permissions`,
          {
            field: `body.permissions[${i}]`,
          },
        );
      }
    });
    const { rootKey, plaintext } = await issueRootKey(
      {
        store: deps.store,
        engine: deps.engine,
        now: deps.now,
        actor: { id: actor.rootKeyId, ip: actor.ip, requestId: actor.requestId },
      },
      { workspaceId: actor.workspaceId, name: body.name ?? null, permissions, field: 'body.permissions' },
    );
    return { ...rootKeyView(rootKey), key: plaintext };
  });
}

export const getRootKey = async (deps: ServiceDeps, actor: Actor, id: string): Promise<RootKeyView> =>
  rootKeyView(await requireRootKey(deps, actor, id));

export async function listRootKeys(
  deps: ServiceDeps,
  actor: Actor,
  query: PageQuery,
): Promise<Page<RootKeyView>> {
  const page = await listPage(() => deps.store.rootKeys.list(actor.workspaceId, query));
  return { items: page.items.map(rootKeyView), nextCursor: page.nextCursor };
}

/** A new secret for a root key; the old one stops working at once. */
export async function rollRootKey(root: ServiceDeps, actor: Actor, id: string): Promise<IssuedRootKey> {
  return write(root, async (deps) => {
    const before = await requireWeakerRootKey(deps, actor, id, 'roll');
    if (before.revokedAt !== null) throw new KeywardError('CONFLICT', 'a revoked root key cannot be rolled');
    const plaintext = generateKey(ROOT_KEY_PREFIX);
    const next = { digest: deps.engine.digest(plaintext), hint: keyHint(plaintext) };
    const rolled = await deps.store.rootKeys.roll(actor.workspaceId, id, next, deps.now());
    if (rolled === null) throw notFound();
    await deps.forgetRootKey(id);
    const view = rootKeyView(rolled);
    await recordAudit(deps, actor, {
      action: 'root_key.roll',
      targetType: 'root_key',
      targetId: id,
      before: rootKeyView(before),
      after: view,
    });
    return { ...view, key: plaintext };
  });
}

/** Revokes a root key; idempotent (a revoked one answers its view, nothing is recorded again). */
export async function revokeRootKey(root: ServiceDeps, actor: Actor, id: string): Promise<RootKeyView> {
  return write(root, async (deps) => {
    const before = await requireWeakerRootKey(deps, actor, id, 'revoke');
    if (before.revokedAt !== null) return rootKeyView(before);
    const revoked = await deps.store.rootKeys.revoke(actor.workspaceId, id, deps.now());
    if (revoked === null) throw notFound();
    await deps.forgetRootKey(id);
    const view = rootKeyView(revoked);
    await recordAudit(deps, actor, {
      action: 'root_key.revoke',
      targetType: 'root_key',
      targetId: id,
      before: rootKeyView(before),
      after: view,
    });
    return view;
  });
}
