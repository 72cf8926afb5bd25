import type { VerifyCode, VerifyWarning } from './schemas/verify.js';

export type { VerifyWarning } from './schemas/verify.js';

/** Free-form JSON metadata attached to keys and consumers. */
type Meta = Record<string, unknown>;

/** Every verification outcome has a stable code (`schemas/verify.ts`); HTTP faces map them in one place. */
export type DenialCode = Exclude<VerifyCode, 'VALID'>;

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
  /** Owner of the limit: the key alone, or every key of its consumer. */
  scope: 'key' | 'consumer';
}

/** A dry-run rule that would have denied this verification, had it been enforced. */
export interface WouldDeny {
  code: DenialCode;
  /** The rate limit's name, the quota's owner (`key` or `consumer`), the dry-run permission query; absent for the IP allow-list. */
  rule?: string;
}

/** A key's remaining credits after this verification. */
export interface CreditState {
  remaining: number;
}

/** The consumer that owns a key, as a verification reports it. */
export interface VerifiedConsumer {
  id: string;
  externalId: string;
  name: string | null;
  meta: Meta | null;
}

/** Who a found key belongs to and what it may do: the same object on both sides of the result. */
export interface VerifiedIdentity {
  keyId: string;
  workspaceId: string;
  apiId: string;
  consumer: VerifiedConsumer | null;
  name: string | null;
  meta: Meta | null;
  /** The key's own permissions plus those of its roles, deduplicated. */
  permissions: string[];
  roles: string[];
  /** Epoch ms, or null when the key never expires. */
  expiresAt: number | null;
  environment: 'live' | 'test';
  /** The parent key of a child key (`POST /v1/keys/children`); null for every other key. */
  parentKeyId: string | null;
}

/** A valid key. Both sides of `VerifyResult` have the same fields, so `result.identity` reads alike. */
export interface VerifyValid {
  valid: true;
  code: 'VALID';
  identity: VerifiedIdentity;
  ratelimits: RateLimitState[];
  /** Remaining credits after this verification; null when the key has no quota. */
  credits: CreditState | null;
  retryAfterMs: null;
  /** Dry-run rules that would have denied this verification; absent when none would. */
  wouldDeny?: WouldDeny[];
  /** What the key's holder should act on (e.g. `ROTATION_DUE`); absent when nothing. */
  warnings?: VerifyWarning[];
}

/**
 * A denial. `identity` is present once the key was found (never for NOT_FOUND), so that
 * usage can be recorded and the provider's backend told whose key it was; faces that answer
 * the key's holder must not reveal it (unknown, revoked and expired look the same from outside).
 */
export interface VerifyDenied {
  valid: false;
  code: DenialCode;
  identity: VerifiedIdentity | null;
  ratelimits: RateLimitState[];
  credits: CreditState | null;
  /** For RATE_LIMITED / USAGE_EXCEEDED: ms until a retry may succeed (null when unknown, e.g. no refill). */
  retryAfterMs: number | null;
  /** Never set on a denial (dry-run outcomes are reported on VALID results only). */
  wouldDeny?: WouldDeny[];
  /** Never set on a denial (the same field as on `VerifyValid`, so that both sides read alike). */
  warnings?: VerifyWarning[];
}

/**
 * The outcome of every verification: the one shape the engine returns, the SDK's verifiers
 * hand to the middleware, and `POST /v1/keys/verify` carries (flattened, see
 * `verify-response.ts`).
 *
 * @example
 * const result = await engine.verifyKey(key);
 * if (result.valid) console.log(result.identity.keyId);
 */
export type VerifyResult = VerifyValid | VerifyDenied;
