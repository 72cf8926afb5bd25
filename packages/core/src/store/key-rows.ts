import type { CreditsConfig, KeyRecord, Meta, RateLimitConfig } from '../contracts/model.js';
import type { KeyPatch } from '../contracts/store.js';
import { fromJsonArray, fromJsonOrNull, toJson, toJsonOrNull, toMs, toMsOrNull } from './codec.js';
import type { StoreContext } from './context.js';
import type { KeyRow } from './schema.js';

/** The one mapping between `keys` rows and `KeyRecord`s. */

export const keyToRow = (key: KeyRecord, bool: StoreContext['bool']): KeyRow => ({
  id: key.id,
  workspace_id: key.workspaceId,
  api_id: key.apiId,
  consumer_id: key.consumerId,
  digest: key.digest,
  hint: key.hint,
  name: key.name,
  meta: toJsonOrNull(key.meta),
  permissions: toJson(key.permissions),
  roles: toJson(key.roles),
  ratelimits: toJson(key.ratelimits),
  credits: toJsonOrNull(key.credits),
  allowed_ips: toJson(key.allowedIps),
  allowed_ips_mode: key.allowedIpsMode ?? 'enforce',
  environment: key.environment,
  enabled: bool(key.enabled),
  disabled_reason: key.disabledReason,
  expires_at: key.expiresAt,
  revoked_at: key.revokedAt,
  imported: bool(key.imported),
  rolled_at: key.rolledAt ?? null,
  kind: key.kind,
  created_at: key.createdAt,
  updated_at: key.updatedAt,
  parent_key_id: key.parent?.keyId ?? null,
  depth: key.parent?.depth ?? 0,
  parent_binding: key.parent?.binding ?? null,
});

export const keyFromRow = (row: KeyRow): KeyRecord => ({
  id: row.id,
  workspaceId: row.workspace_id,
  apiId: row.api_id,
  consumerId: row.consumer_id,
  digest: row.digest,
  hint: row.hint,
  name: row.name,
  meta: fromJsonOrNull<Meta>(row.meta),
  permissions: fromJsonArray<string>(row.permissions),
  roles: fromJsonArray<string>(row.roles),
  ratelimits: fromJsonArray<RateLimitConfig>(row.ratelimits),
  credits: fromJsonOrNull<CreditsConfig>(row.credits),
  allowedIps: fromJsonArray<string>(row.allowed_ips),
  // Only a dry-run list carries the field: an enforced one reads as every record did before.
  ...(row.allowed_ips_mode === 'dry-run' ? { allowedIpsMode: 'dry-run' as const } : {}),
  environment: row.environment === 'test' ? 'test' : 'live',
  // 0/1 on SQLite, boolean on PostgreSQL.
  enabled: Boolean(row.enabled),
  disabledReason: row.disabled_reason,
  expiresAt: toMsOrNull(row.expires_at),
  revokedAt: toMsOrNull(row.revoked_at),
  imported: Boolean(row.imported),
  ...(row.rolled_at === null || row.rolled_at === undefined ? {} : { rolledAt: toMs(row.rolled_at) }),
  kind: row.kind === 'publishable' ? 'publishable' : 'secret',
  createdAt: toMs(row.created_at),
  updatedAt: toMs(row.updated_at),
  ...(row.parent_key_id === null || row.parent_key_id === undefined
    ? {}
    : { parent: { keyId: row.parent_key_id, depth: Number(row.depth), binding: row.parent_binding ?? '' } }),
});

/** The columns a patch changes (absent fields stay as they are). */
export function keyPatchToRow(patch: KeyPatch, bool: StoreContext['bool']): Partial<KeyRow> {
  const row: Partial<KeyRow> = {};
  if (patch.name !== undefined) row.name = patch.name;
  if (patch.meta !== undefined) row.meta = toJsonOrNull(patch.meta);
  if (patch.permissions !== undefined) row.permissions = toJson(patch.permissions);
  if (patch.roles !== undefined) row.roles = toJson(patch.roles);
  if (patch.ratelimits !== undefined) row.ratelimits = toJson(patch.ratelimits);
  if (patch.credits !== undefined) row.credits = toJsonOrNull(patch.credits);
  if (patch.allowedIps !== undefined) row.allowed_ips = toJson(patch.allowedIps);
  if (patch.allowedIpsMode !== undefined) row.allowed_ips_mode = patch.allowedIpsMode;
  if (patch.enabled !== undefined) row.enabled = bool(patch.enabled);
  if (patch.disabledReason !== undefined) row.disabled_reason = patch.disabledReason;
  if (patch.expiresAt !== undefined) row.expires_at = patch.expiresAt;
  if (patch.consumerId !== undefined) row.consumer_id = patch.consumerId;
  return row;
}
