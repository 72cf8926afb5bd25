import { KeywardError, type LifetimePolicy } from '@keyward/core';
import type { LifetimePolicyBody, LifetimePolicyView } from '@keyward/protocol';
import { requireApi } from './apis.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { write } from './transaction.js';

/** The public view of a lifetime policy (the workspace id stays inside). */
export const lifetimePolicyView = (policy: LifetimePolicy): LifetimePolicyView => ({
  apiId: policy.apiId,
  maxTtlDays: policy.maxTtlDays,
  rotateAfterDays: policy.rotateAfterDays,
  rotationGraceDays: policy.rotationGraceDays,
  idleDisableAfterDays: policy.idleDisableAfterDays,
  remindBeforeDays: policy.remindBeforeDays,
  mode: policy.mode,
  createdAt: policy.createdAt,
  updatedAt: policy.updatedAt,
});

const noPolicy = () => new KeywardError('NOT_FOUND', 'this API has no lifetime policy');

/** The API's lifetime policy; `NOT_FOUND` when the API is unknown here or has none. */
export async function getLifetimePolicy(
  deps: ServiceDeps,
  actor: Actor,
  apiId: string,
): Promise<LifetimePolicyView> {
  await requireApi(deps, actor, apiId);
  const policy = await deps.store.lifetimePolicies.get(actor.workspaceId, apiId);
  if (policy === null) throw noPolicy();
  return lifetimePolicyView(policy);
}

/**
 * Replaces the API's lifetime policy (left-out fields take their defaults), audited as
 * `api.lifetime_policy.update`; every node drops its cached keys of the workspace, so that
 * verification applies the new rotation rule at once.
 */
export async function putLifetimePolicy(
  root: ServiceDeps,
  actor: Actor,
  apiId: string,
  body: LifetimePolicyBody,
): Promise<LifetimePolicyView> {
  return write(root, async (deps) => {
    await requireApi(deps, actor, apiId);
    const before = await deps.store.lifetimePolicies.get(actor.workspaceId, apiId);
    const now = deps.now();
    const policy: LifetimePolicy = {
      workspaceId: actor.workspaceId,
      apiId,
      maxTtlDays: body.maxTtlDays ?? null,
      rotateAfterDays: body.rotateAfterDays ?? null,
      rotationGraceDays: body.rotationGraceDays ?? 0,
      idleDisableAfterDays: body.idleDisableAfterDays ?? null,
      remindBeforeDays: body.remindBeforeDays ?? 0,
      mode: body.mode ?? 'enforce',
      createdAt: before?.createdAt ?? now,
      updatedAt: now,
    };
    await deps.store.lifetimePolicies.put(policy);
    await deps.engine.invalidate({ type: 'workspace', workspaceId: actor.workspaceId });
    const view = lifetimePolicyView(policy);
    await recordAudit(deps, actor, {
      action: 'api.lifetime_policy.update',
      targetType: 'api',
      targetId: apiId,
      before: before === null ? null : lifetimePolicyView(before),
      after: view,
    });
    return view;
  });
}

/** Removes the API's lifetime policy (audited as `api.lifetime_policy.delete`); `NOT_FOUND` when it had none. */
export async function deleteLifetimePolicy(root: ServiceDeps, actor: Actor, apiId: string): Promise<void> {
  return write(root, async (deps) => {
    await requireApi(deps, actor, apiId);
    const before = await deps.store.lifetimePolicies.get(actor.workspaceId, apiId);
    if (before === null || !(await deps.store.lifetimePolicies.delete(actor.workspaceId, apiId)))
      throw noPolicy();
    await deps.engine.invalidate({ type: 'workspace', workspaceId: actor.workspaceId });
    await recordAudit(deps, actor, {
      action: 'api.lifetime_policy.delete',
      targetType: 'api',
      targetId: apiId,
      before: lifetimePolicyView(before),
      after: null,
    });
  });
}
