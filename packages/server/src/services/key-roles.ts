import { KeywardError } from '@keyward/core';
import type { KeyView } from '@keyward/protocol';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { invalidateKey, requireKey, viewKey } from './keys.js';
import { checkRoleNames } from './roles.js';
import { write } from './transaction.js';
import { publishEvent } from './webhook-events.js';

async function setRoles(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  roles: (current: string[]) => string[],
  action: string,
) {
  const current = await requireKey(deps, actor, id, 'keys:write');
  const before = await viewKey(deps, current);
  const updated = await deps.store.keys.update(
    actor.workspaceId,
    id,
    { roles: roles(current.roles) },
    deps.now(),
  );
  if (updated === null) throw new KeywardError('NOT_FOUND', 'key not found');
  await invalidateKey(deps, id);
  const view = await viewKey(deps, updated);
  await recordAudit(deps, actor, { action, targetType: 'key', targetId: id, before, after: view });
  await publishEvent(deps, actor.workspaceId, 'key.updated', { key: view, previous: before });
  return view;
}

/** Adds roles (which must exist) to a key; roles it already holds stay once. */
export async function attachRoles(
  root: ServiceDeps,
  actor: Actor,
  id: string,
  names: readonly string[],
): Promise<KeyView> {
  return write(root, async (deps) => {
    await requireKey(deps, actor, id, 'keys:write');
    const roles = await checkRoleNames(deps, actor, names, 'body.roles');
    return setRoles(deps, actor, id, (current) => [...new Set([...current, ...roles])], 'key.roles.attach');
  });
}

/** Removes a role from a key; `NOT_FOUND` when the key does not hold it. */
export async function detachRole(
  root: ServiceDeps,
  actor: Actor,
  id: string,
  name: string,
): Promise<KeyView> {
  return write(root, async (deps) => {
    const key = await requireKey(deps, actor, id, 'keys:write');
    if (!key.roles.includes(name))
      throw new KeywardError('NOT_FOUND', `the key does not hold the role "${name}"`);
    return setRoles(deps, actor, id, (current) => current.filter((r) => r !== name), 'key.roles.detach');
  });
}
