import type {
  Api,
  AuditEvent,
  Consumer,
  CreditsConfig,
  KeyRecord,
  RateLimitConfig,
  Role,
  RootKey,
} from '@keyward/core';
import { keyPattern } from '@keyward/core';
import type {
  ApiView,
  AuditEventView,
  ConsumerView,
  Credits,
  KeyView,
  RateLimitView,
  RoleView,
  RootKeyView,
} from '@keyward/protocol';

/**
 * The public JSON view of each resource, built field by field: a row is never serialized
 * wholesale, so a digest (or any column added later) cannot leak into a reply or an
 * audit event. The route response schemas list the same fields and drop anything else.
 */

export const apiView = (api: Api): ApiView => ({
  id: api.id,
  name: api.name,
  prefix: api.prefix,
  keyPattern: keyPattern(api.prefix).source,
  createdAt: api.createdAt,
  updatedAt: api.updatedAt,
});

const rateLimitView = (limit: RateLimitConfig): RateLimitView => ({
  name: limit.name,
  limit: limit.limit,
  duration: limit.duration,
  algorithm: limit.algorithm,
  ...(limit.mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
});

/** Quota view: null when neither a configuration nor a balance exists. */
export function creditsView(config: CreditsConfig | null, remaining: number | null): Credits | null {
  if (config === null && remaining === null) return null;
  const refill = config?.refill ?? null;
  return {
    remaining,
    refill:
      refill === null
        ? null
        : {
            interval: refill.interval,
            amount: refill.amount,
            ...(refill.day === undefined ? {} : { day: refill.day }),
          },
    ...(config?.mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
  };
}

export const consumerView = (consumer: Consumer, remaining: number | null): ConsumerView => ({
  id: consumer.id,
  externalId: consumer.externalId,
  name: consumer.name,
  meta: consumer.meta,
  ratelimits: consumer.ratelimits.map(rateLimitView),
  credits: creditsView(consumer.credits, remaining),
  createdAt: consumer.createdAt,
  updatedAt: consumer.updatedAt,
});

/** Derived state of a key at `now`. */
export function keyStatus(key: KeyRecord, now: number): KeyView['status'] {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  if (!key.enabled) return 'disabled';
  return 'active';
}

export const keyView = (key: KeyRecord, remaining: number | null, now: number): KeyView => ({
  id: key.id,
  apiId: key.apiId,
  consumerId: key.consumerId,
  hint: key.hint,
  name: key.name,
  meta: key.meta,
  permissions: [...key.permissions],
  roles: [...key.roles],
  ratelimits: key.ratelimits.map(rateLimitView),
  credits: creditsView(key.credits, remaining),
  allowedIps: [...key.allowedIps],
  ...(key.allowedIpsMode === 'dry-run' ? { allowedIpsMode: 'dry-run' as const } : {}),
  environment: key.environment,
  kind: key.kind,
  enabled: key.enabled,
  disabledReason: key.disabledReason,
  status: keyStatus(key, now),
  expiresAt: key.expiresAt,
  revokedAt: key.revokedAt,
  imported: key.imported,
  parentKeyId: key.parent?.keyId ?? null,
  createdAt: key.createdAt,
  updatedAt: key.updatedAt,
});

export const roleView = (role: Role): RoleView => ({
  id: role.id,
  name: role.name,
  description: role.description,
  permissions: [...role.permissions],
  createdAt: role.createdAt,
  updatedAt: role.updatedAt,
});

export const rootKeyView = (rootKey: RootKey): RootKeyView => ({
  id: rootKey.id,
  hint: rootKey.hint,
  name: rootKey.name,
  permissions: [...rootKey.permissions],
  revokedAt: rootKey.revokedAt,
  createdAt: rootKey.createdAt,
  updatedAt: rootKey.updatedAt,
});

export const auditEventView = (event: AuditEvent): AuditEventView => ({
  id: event.id,
  actor: event.actor,
  action: event.action,
  targetType: event.targetType,
  targetId: event.targetId,
  before: event.before,
  after: event.after,
  ip: event.ip,
  requestId: event.requestId,
  createdAt: event.createdAt,
});
