import { type Api, KeywardError, newId, type Page, type PageQuery } from '@keyward/core';
import type { ApiView, CreateApiBody, UpdateApiBody } from '@keyward/protocol';
import { ROOT_KEY_PREFIX } from '../root-keys.js';
import { apiView } from '../views.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { inPart } from './input-checks.js';
import { listPage } from './pagination.js';
import { write } from './transaction.js';

const checkPrefix = (prefix: string | undefined): void => {
  if (prefix === ROOT_KEY_PREFIX) {
    throw new KeywardError('VALIDATION', `body.prefix "${ROOT_KEY_PREFIX}" is reserved for root keys`, {
      field: 'body.prefix',
    });
  }
};

/** The API of this workspace, or `NOT_FOUND` (an API of another workspace is unknown here). */
export async function requireApi(deps: ServiceDeps, actor: Actor, id: string, field?: string): Promise<Api> {
  const api = await deps.store.apis.get(actor.workspaceId, id);
  if (api === null)
    throw new KeywardError('NOT_FOUND', 'API not found', field === undefined ? {} : { field });
  return api;
}

export async function createApi(root: ServiceDeps, actor: Actor, body: CreateApiBody): Promise<ApiView> {
  return write(root, async (deps) => {
    checkPrefix(body.prefix);
    const now = deps.now();
    const api: Api = {
      id: newId('api'),
      workspaceId: actor.workspaceId,
      name: body.name,
      prefix: body.prefix,
      createdAt: now,
      updatedAt: now,
    };
    await deps.store.apis.create(api).catch((error: unknown) => {
      throw inPart(error, 'body');
    });
    const view = apiView(api);
    await recordAudit(deps, actor, {
      action: 'api.create',
      targetType: 'api',
      targetId: api.id,
      before: null,
      after: view,
    });
    return view;
  });
}

export const getApi = async (deps: ServiceDeps, actor: Actor, id: string): Promise<ApiView> =>
  apiView(await requireApi(deps, actor, id));

export async function listApis(deps: ServiceDeps, actor: Actor, query: PageQuery): Promise<Page<ApiView>> {
  const page = await listPage(() => deps.store.apis.list(actor.workspaceId, query));
  return { items: page.items.map(apiView), nextCursor: page.nextCursor };
}

export async function updateApi(
  root: ServiceDeps,
  actor: Actor,
  id: string,
  body: UpdateApiBody,
): Promise<ApiView> {
  return write(root, async (deps) => {
    checkPrefix(body.prefix);
    const before = await requireApi(deps, actor, id);
    const patch = {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.prefix === undefined ? {} : { prefix: body.prefix }),
    };
    const updated = await deps.store.apis
      .update(actor.workspaceId, id, patch, deps.now())
      .catch((error: unknown) => {
        throw inPart(error, 'body');
      });
    if (updated === null) throw new KeywardError('NOT_FOUND', 'API not found');
    const view = apiView(updated);
    await recordAudit(deps, actor, {
      action: 'api.update',
      targetType: 'api',
      targetId: id,
      before: apiView(before),
      after: view,
    });
    return view;
  });
}

/** Deletes the API and every key of it; every node drops the workspace's cached keys. */
export async function deleteApi(root: ServiceDeps, actor: Actor, id: string): Promise<void> {
  return write(root, async (deps) => {
    const before = await requireApi(deps, actor, id);
    if (!(await deps.store.apis.delete(actor.workspaceId, id)))
      throw new KeywardError('NOT_FOUND', 'API not found');
    await deps.engine.invalidate({ type: 'workspace', workspaceId: actor.workspaceId });
    await recordAudit(deps, actor, {
      action: 'api.delete',
      targetType: 'api',
      targetId: id,
      before: apiView(before),
      after: null,
    });
  });
}
