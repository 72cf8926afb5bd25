import type {
  DenialCode,
  RateLimitState,
  VerifiedIdentity,
  VerifyDenied,
  VerifyValid,
} from '@keyward/protocol';

/**
 * Builders for the verification result union. Each result is a fresh object with one
 * fixed shape (cheap for V8, and no caller can alter what another one receives); the
 * identity's arrays and meta are shared with the cache entry and must be treated as
 * read-only.
 */

export function validResult(
  identity: VerifiedIdentity,
  ratelimits: RateLimitState[],
  credits: { remaining: number } | null,
): VerifyValid {
  return {
    valid: true,
    code: 'VALID',
    keyId: identity.keyId,
    workspaceId: identity.workspaceId,
    apiId: identity.apiId,
    consumer: identity.consumer,
    name: identity.name,
    meta: identity.meta,
    permissions: identity.permissions,
    roles: identity.roles,
    expiresAt: identity.expiresAt,
    environment: identity.environment,
    ratelimits,
    credits,
  };
}

export function deniedResult(
  code: DenialCode,
  identity: VerifiedIdentity | null,
  ratelimits: RateLimitState[] = [],
  credits: { remaining: number } | null = null,
  retryAfterMs: number | null = null,
): VerifyDenied {
  return { valid: false, code, identity, ratelimits, credits, retryAfterMs };
}
