import {
  type Engine,
  generateKey,
  KeywardError,
  keyHint,
  newId,
  type RootKey,
  type Store,
} from '@keyward/core';
import { checkRootPermissions, parsePermission } from './root-permissions.js';
import { rootKeyView } from './views.js';

/** Prefix of every root key: secret scanners can tell admin credentials from API keys. */
export const ROOT_KEY_PREFIX = 'kwroot';

export interface IssueRootKeyInput {
  workspaceId: string;
  name?: string | null;
  /** From `ROOT_PERMISSIONS` (`*`, `keys:write`, ...) or per-API (`api.<apiId>.keys:write`). */
  permissions: readonly string[];
  /** Where the permissions came from, for error fields; default `permissions`. */
  field?: string;
}

export interface IssueRootKeyDeps {
  store: Store;
  /** Digests the new key with the server's pepper. */
  engine: Engine;
  /** Clock; default `Date.now`. */
  now?: () => number;
  /** Who issues it, for the audit event; default `cli`. */
  actor?: { id: string; ip: string | null; requestId: string | null };
}

/**
 * Creates a root key for a workspace and returns its plaintext, which is shown once and
 * never stored (only its digest and hint are). Appends a `root_key.create` audit event.
 * Throws `NOT_FOUND` for an unknown workspace and `VALIDATION` for unknown permissions or
 * a per-API permission naming an API of another workspace.
 *
 * @example
 * const { plaintext } = await issueRootKey({ store, engine }, { workspaceId, permissions: ['*'] });
 */
export async function issueRootKey(
  deps: IssueRootKeyDeps,
  input: IssueRootKeyInput,
): Promise<{ rootKey: RootKey; plaintext: string }> {
  const { store, engine, now = Date.now, actor = { id: 'cli', ip: null, requestId: null } } = deps;
  const field = input.field ?? 'permissions';
  const permissions = checkRootPermissions(input.permissions, field);
  if ((await store.workspaces.get(input.workspaceId)) === null) {
    throw new KeywardError('NOT_FOUND', 'workspace not found', { field: 'workspaceId' });
  }
  for (const [i, value] of permissions.entries()) {
    const { apiId } = parsePermission(value);
    if (apiId !== null && (await store.apis.get(input.workspaceId, apiId)) === null) {
      throw new KeywardError('VALIDATION', `${field}[${i}] names an API that is not in this workspace`, {
        field: `${field}[${i}]`,
      });
    }
  }
  const plaintext = generateKey(ROOT_KEY_PREFIX);
  const at = now();
  const rootKey: RootKey = {
    id: newId('rk'),
    workspaceId: input.workspaceId,
    digest: engine.digest(plaintext),
    hint: keyHint(plaintext),
    name: input.name ?? null,
    permissions,
    revokedAt: null,
    createdAt: at,
    updatedAt: at,
  };
  // The root key and its audit event commit together.
  await store.transaction(async (tx) => {
    await tx.rootKeys.create(rootKey);
    await tx.audit.append({
      id: newId('evt'),
      workspaceId: rootKey.workspaceId,
      actor: actor.id,
      action: 'root_key.create',
      targetType: 'root_key',
      targetId: rootKey.id,
      before: null,
      after: rootKeyView(rootKey),
      ip: actor.ip,
      requestId: actor.requestId,
      createdAt: at,
    });
  });
  return { rootKey, plaintext };
}
