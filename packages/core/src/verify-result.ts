import type { Meta } from './model.js';

/** Every verification outcome has a stable code; HTTP faces map them in one place. */
export type DenialCode =
  | 'NOT_FOUND'
  | 'DISABLED'
  | 'EXPIRED'
  | 'REVOKED'
  | 'FORBIDDEN_IP'
  | 'INSUFFICIENT_PERMISSIONS'
  | 'RATE_LIMITED'
  | 'USAGE_EXCEEDED';

export type VerifyCode = 'VALID' | DenialCode;

/** State of one applied rate limit after this verification. */
export interface RateLimitState {
  name: string;
  limit: number;
  remaining: number;
  /**
   * Epoch ms: with nothing remaining, when one unit fits again (for the limit that denied a
   * request, when that request fits again); otherwise when the limit is whole again.
   */
  reset: number;
  /** `reset` as ms after the verification, by the verifier's own clock (what `RateLimit`'s `t=` counts). */
  resetAfterMs: number;
  /** The limit's window in ms (its configured `duration`): `w=` of the RateLimit-Policy header. */
  duration: number;
  /** Owner of the limit. */
  scope: 'key' | 'consumer';
}

export interface VerifiedIdentity {
  keyId: string;
  workspaceId: string;
  apiId: string;
  consumer: { id: string; externalId: string; name: string | null; meta: Meta | null } | null;
  name: string | null;
  meta: Meta | null;
  /** The key's own permissions plus those of its roles, deduplicated. */
  permissions: string[];
  roles: string[];
  expiresAt: number | null;
  environment: 'live' | 'test';
}

export interface VerifyValid extends VerifiedIdentity {
  valid: true;
  code: 'VALID';
  ratelimits: RateLimitState[];
  /** Remaining credits after this verification; null when the key has no quota. */
  credits: { remaining: number } | null;
}

/**
 * A denial. `keyId` and identity are present once the key was found (never for
 * NOT_FOUND), so that usage can be recorded; HTTP faces must not reveal them to callers
 * who are not the provider (unknown, revoked and expired look the same from outside).
 */
export interface VerifyDenied {
  valid: false;
  code: DenialCode;
  identity: VerifiedIdentity | null;
  ratelimits: RateLimitState[];
  credits: { remaining: number } | null;
  /** For RATE_LIMITED / USAGE_EXCEEDED: ms until a retry may succeed (null when unknown, e.g. no refill). */
  retryAfterMs: number | null;
}

export type VerifyResult = VerifyValid | VerifyDenied;
