import { type Api, type KeyKind, KeywardError, type PublishablePolicy } from '@keyward/core';
import type { CreateKeyBody, PublishablePolicyBody, PublishablePolicyView } from '@keyward/protocol';
import { requireApi } from './apis.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { checkPermissions } from './input-checks.js';
import { write } from './transaction.js';

/**
 * Publishable keys (docs/publishable-keys.md): the key prefix of each kind, the create-time
 * rules of a publishable key, and each API's publishable policy.
 */

/** Suffix of the API prefix that marks a publishable key (`amp_live` → `amp_live_pub_…`). */
export const PUBLISHABLE_SUFFIX = '_pub';
/** The longest API prefix that still leaves room for the suffix (prefixes are 16 characters at most). */
const MAX_PREFIX_FOR_PUBLISHABLE = 16 - PUBLISHABLE_SUFFIX.length;

/** The prefix of a new (or rolled) key of this kind. */
export const keyPrefixFor = (api: Api, kind: KeyKind): string =>
  kind === 'publishable' ? `${api.prefix}${PUBLISHABLE_SUFFIX}` : api.prefix;

/**
 * What a publishable key may not be created with: a quota (it never spends credits) and an
 * API prefix too long for the `_pub` suffix. `VALIDATION` naming the field.
 */
export function checkPublishableCreate(api: Api, body: CreateKeyBody): void {
  if (body.kind !== 'publishable') return;
  if (body.credits !== undefined && body.credits !== null) {
    throw new KeywardError('VALIDATION', 'body.credits: a publishable key never spends credits', {
      field: 'body.credits',
    });
  }
  if (api.prefix.length > MAX_PREFIX_FOR_PUBLISHABLE) {
    throw new KeywardError(
      'VALIDATION',
      `body.kind: publishable keys need an API prefix of at most ${MAX_PREFIX_FOR_PUBLISHABLE} characters`,
      { field: 'body.kind' },
    );
  }
}

/** `VALIDATION` when an update would give a publishable key a quota. */
export function checkPublishableUpdate(kind: KeyKind, credits: unknown): void {
  if (kind === 'publishable' && credits !== undefined && credits !== null) {
    throw new KeywardError('VALIDATION', 'body.credits: a publishable key never spends credits', {
      field: 'body.credits',
    });
  }
}

const policyView = (apiId: string, policy: PublishablePolicy | null): PublishablePolicyView => ({
  apiId,
  publicPermissions: [...(policy?.publicPermissions ?? [])],
  allowedOrigins: [...(policy?.allowedOrigins ?? [])],
  updatedAt: policy?.updatedAt ?? null,
});

export async function getPublishablePolicy(
  deps: ServiceDeps,
  actor: Actor,
  apiId: string,
): Promise<PublishablePolicyView> {
  await requireApi(deps, actor, apiId);
  return policyView(apiId, await deps.store.publishablePolicies.get(actor.workspaceId, apiId));
}

/**
 * Replaces an API's publishable policy (checked first: a refused body changes nothing),
 * audited, and drops the workspace's cached keys on every node: each publishable key's
 * cache entry holds the policy it was resolved with.
 */
export async function putPublishablePolicy(
  root: ServiceDeps,
  actor: Actor,
  apiId: string,
  body: PublishablePolicyBody,
): Promise<PublishablePolicyView> {
  const after = await write(root, async (deps) => {
    await requireApi(deps, actor, apiId);
    const publicPermissions = checkPermissions(body.publicPermissions, 'body.publicPermissions');
    const allowedOrigins = [...new Set(body.allowedOrigins.map((origin) => origin.toLowerCase()))];
    const before = await deps.store.publishablePolicies.get(actor.workspaceId, apiId);
    const policy: PublishablePolicy = {
      workspaceId: actor.workspaceId,
      apiId,
      publicPermissions,
      allowedOrigins,
      updatedAt: deps.now(),
    };
    await deps.store.publishablePolicies.put(policy);
    const view = policyView(apiId, policy);
    await recordAudit(deps, actor, {
      action: 'publishable_policy.update',
      targetType: 'api',
      targetId: apiId,
      before: before === null ? null : policyView(apiId, before),
      after: view,
    });
    return view;
  });
  await root.engine.invalidate({ type: 'workspace', workspaceId: actor.workspaceId });
  return after;
}
