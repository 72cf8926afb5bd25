import { KeywardError, newId, type Page, type PageQuery, type Role } from '@keyward/core';
import type { CreateRoleBody, RoleView, UpdateRoleBody } from '@keyward/protocol';
import { roleView } from '../views.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { checkPermissions, inPart } from './input-checks.js';
import { listPage } from './pagination.js';
import { write } from './transaction.js';

const notFound = () => new KeywardError('NOT_FOUND', 'role not found');

async function requireRole(deps: ServiceDeps, actor: Actor, id: string): Promise<Role> {
  const role = await deps.store.roles.get(actor.workspaceId, id);
  if (role === null) throw notFound();
  return role;
}

/** Every named role must exist in the workspace; `VALIDATION` naming the first unknown one. */
export async function checkRoleNames(
  deps: ServiceDeps,
  actor: Actor,
  names: readonly string[],
  field: string,
): Promise<string[]> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return [];
  const found = new Set((await deps.store.roles.getByNames(actor.workspaceId, unique)).map((r) => r.name));
  names.forEach((name, i) => {
    if (!found.has(name))
      throw new KeywardError('VALIDATION', `${field}[${i}] names an unknown role "${name}"`, {
        field: `${field}[${i}]`,
      });
  });
  return unique;
}

export async function createRole(root: ServiceDeps, actor: Actor, body: CreateRoleBody): Promise<RoleView> {
  return write(root, async (deps) => {
    const permissions = checkPermissions(body.permissions, 'body.permissions');
    const now = deps.now();
    const role: Role = {
      id: newId('role'),
      workspaceId: actor.workspaceId,
      name: body.name,
      description: body.description ?? null,
      permissions,
      createdAt: now,
      updatedAt: now,
    };
    await deps.store.roles.create(role).catch((error: unknown) => {
      throw inPart(error, 'body');
    });
    // Keys may already name this role (it was deleted and created again): their cached permissions change.
    await deps.engine.invalidate({ type: 'workspace', workspaceId: actor.workspaceId });
    const view = roleView(role);
    await recordAudit(deps, actor, {
      action: 'role.create',
      targetType: 'role',
      targetId: role.id,
      before: null,
      after: view,
    });
    return view;
  });
}

export const getRole = async (deps: ServiceDeps, actor: Actor, id: string): Promise<RoleView> =>
  roleView(await requireRole(deps, actor, id));

export async function listRoles(deps: ServiceDeps, actor: Actor, query: PageQuery): Promise<Page<RoleView>> {
  const page = await listPage(() => deps.store.roles.list(actor.workspaceId, query));
  return { items: page.items.map(roleView), nextCursor: page.nextCursor };
}

export async function updateRole(
  root: ServiceDeps,
  actor: Actor,
  id: string,
  body: UpdateRoleBody,
): Promise<RoleView> {
  return write(root, async (deps) => {
    const permissions =
      body.permissions === undefined ? undefined : checkPermissions(body.permissions, 'body.permissions');
    const before = await requireRole(deps, actor, id);
    const patch = {
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(permissions === undefined ? {} : { permissions }),
    };
    const updated = await deps.store.roles.update(actor.workspaceId, id, patch, deps.now());
    if (updated === null) throw notFound();
    // Every key holding the role verifies with new permissions.
    await deps.engine.invalidate({ type: 'workspace', workspaceId: actor.workspaceId });
    const view = roleView(updated);
    await recordAudit(deps, actor, {
      action: 'role.update',
      targetType: 'role',
      targetId: id,
      before: roleView(before),
      after: view,
    });
    return view;
  });
}

/**
 * Deletes the role and detaches it from every key that holds it, so that a role created
 * later under the same name grants nothing to old keys by accident.
 */
export async function deleteRole(root: ServiceDeps, actor: Actor, id: string): Promise<void> {
  return write(root, async (deps) => {
    const role = await requireRole(deps, actor, id);
    if (!(await deps.store.roles.delete(actor.workspaceId, id))) throw notFound();
    let cursor: string | null = null;
    do {
      const page = await deps.store.keys.list(actor.workspaceId, { limit: 100, cursor });
      for (const key of page.items) {
        if (!key.roles.includes(role.name)) continue;
        const roles = key.roles.filter((name) => name !== role.name);
        await deps.store.keys.update(actor.workspaceId, key.id, { roles }, deps.now());
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    await deps.engine.invalidate({ type: 'workspace', workspaceId: actor.workspaceId });
    await recordAudit(deps, actor, {
      action: 'role.delete',
      targetType: 'role',
      targetId: id,
      before: roleView(role),
      after: null,
    });
  });
}
