import {
  type CreditsConfig,
  type KeyRecord,
  KeywardError,
  type Meta,
  type RateLimitConfig,
} from '@keyward/core';
import type { KeySettingsFields } from '@keyward/protocol';
import type { Static, TObject } from '@sinclair/typebox';
import { requireConsumer } from './consumers.js';
import type { Actor, ServiceDeps } from './context.js';
import {
  checkAllowedIps,
  checkCredits,
  checkExpiresAt,
  checkMeta,
  checkPermissions,
  checkRateLimits,
} from './input-checks.js';
import { checkRoleNames } from './roles.js';

/** The settings fields of a key request, as the schema types them. */
export type KeySettingsInput = Static<TObject<typeof KeySettingsFields>>;

/** Checked settings, ready for a `KeyRecord` or a `KeyPatch` (absent = unchanged). */
export interface KeySettings {
  name?: string | null;
  meta?: Meta | null;
  permissions?: string[];
  roles?: string[];
  ratelimits?: RateLimitConfig[];
  /** null removes the quota. */
  credits?: { config: CreditsConfig; remaining: number } | null;
  allowedIps?: string[];
  allowedIpsMode?: 'enforce' | 'dry-run';
  expiresAt?: number | null;
  enabled?: boolean;
}

/**
 * Checks what JSON Schema cannot (meta size, permission syntax, unique limit names, CIDRs,
 * known roles, a future expiry); `at` is the request path of the object (`body`,
 * `body.keys[3]`). Reads only: nothing is written before every check has passed.
 */
export async function checkKeySettings(
  deps: ServiceDeps,
  actor: Actor,
  input: KeySettingsInput,
  at: string,
): Promise<KeySettings> {
  checkMeta(input.meta, `${at}.meta`);
  checkExpiresAt(input.expiresAt, deps.now(), `${at}.expiresAt`);
  const settings: KeySettings = {};
  if (input.name !== undefined) settings.name = input.name;
  if (input.meta !== undefined) settings.meta = input.meta;
  if (input.permissions !== undefined)
    settings.permissions = checkPermissions(input.permissions, `${at}.permissions`);
  if (input.roles !== undefined)
    settings.roles = await checkRoleNames(deps, actor, input.roles, `${at}.roles`);
  if (input.ratelimits !== undefined)
    settings.ratelimits = checkRateLimits(input.ratelimits, `${at}.ratelimits`);
  if (input.credits !== undefined) {
    settings.credits = input.credits === null ? null : checkCredits(input.credits, `${at}.credits`);
  }
  if (input.allowedIps !== undefined)
    settings.allowedIps = checkAllowedIps(input.allowedIps, `${at}.allowedIps`);
  if (input.allowedIpsMode !== undefined) settings.allowedIpsMode = input.allowedIpsMode;
  if (input.expiresAt !== undefined) settings.expiresAt = input.expiresAt;
  if (input.enabled !== undefined) settings.enabled = input.enabled;
  return settings;
}

/** How a request names a key's consumer. */
export interface OwnerInput {
  consumerId?: string | null | undefined;
  externalId?: string | undefined;
}

/**
 * The consumer a request names: `{ id }` for an existing one, `{ externalId }` for one to
 * create (an unknown external id), null for none, undefined when the request names none.
 */
export async function resolveOwner(
  deps: ServiceDeps,
  actor: Actor,
  owner: OwnerInput,
  at: string,
): Promise<{ id: string } | { externalId: string } | null | undefined> {
  if (owner.consumerId !== undefined && owner.externalId !== undefined) {
    throw new KeywardError('VALIDATION', `${at}.externalId cannot be combined with consumerId`, {
      field: `${at}.externalId`,
    });
  }
  if (owner.consumerId === null) return null;
  if (owner.consumerId !== undefined) {
    return { id: (await requireConsumer(deps, actor, owner.consumerId, `${at}.consumerId`)).id };
  }
  if (owner.externalId === undefined) return undefined;
  const found = await deps.store.consumers.getByExternalId(actor.workspaceId, owner.externalId);
  return found === null ? { externalId: owner.externalId } : { id: found.id };
}

/** The fields of a `KeyRecord` a new key gets from its settings. */
export function newKeyFields(
  settings: KeySettings,
): Pick<
  KeyRecord,
  | 'name'
  | 'meta'
  | 'permissions'
  | 'roles'
  | 'ratelimits'
  | 'credits'
  | 'allowedIps'
  | 'allowedIpsMode'
  | 'expiresAt'
  | 'enabled'
> {
  return {
    name: settings.name ?? null,
    meta: settings.meta ?? null,
    permissions: settings.permissions ?? [],
    roles: settings.roles ?? [],
    ratelimits: settings.ratelimits ?? [],
    credits: settings.credits?.config ?? null,
    allowedIps: settings.allowedIps ?? [],
    ...(settings.allowedIpsMode === 'dry-run' ? { allowedIpsMode: 'dry-run' as const } : {}),
    expiresAt: settings.expiresAt ?? null,
    enabled: settings.enabled ?? true,
  };
}
