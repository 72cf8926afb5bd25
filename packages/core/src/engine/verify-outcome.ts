import type {
  CreditState,
  DenialCode,
  RateLimitState,
  VerifiedIdentity,
  VerifyDenied,
  VerifyValid,
  VerifyWarning,
  WouldDeny,
} from '@keyward/protocol';

/**
 * Builders for the verification result union. Each result is a fresh object with one
 * fixed shape, the same on both sides (cheap for V8, and no caller can alter what another
 * one receives); the identity is shared with the cache entry and must be treated as read-only.
 */

export function validResult(
  identity: VerifiedIdentity,
  ratelimits: RateLimitState[],
  credits: CreditState | null,
  wouldDeny: WouldDeny[] | null = null,
  warnings?: VerifyWarning[],
): VerifyValid {
  const result: VerifyValid = {
    valid: true,
    code: 'VALID',
    identity,
    ratelimits,
    credits,
    retryAfterMs: null,
  };
  // Only when a dry-run rule would have denied: every other result keeps the one shape.
  if (wouldDeny !== null) result.wouldDeny = wouldDeny;
  // Rare (a key due for rotation): likewise.
  if (warnings !== undefined) result.warnings = warnings;
  return result;
}

export function deniedResult(
  code: DenialCode,
  identity: VerifiedIdentity | null,
  ratelimits: RateLimitState[] = [],
  credits: CreditState | null = null,
  retryAfterMs: number | null = null,
): VerifyDenied {
  return { valid: false, code, identity, ratelimits, credits, retryAfterMs };
}
