/**
 * What a verifier hands the middleware, the same in local mode (engine in-process) and
 * remote mode (verify API): a valid key's identity, or a denial with what the HTTP answer
 * needs (rate-limit state, credits, when to retry).
 */

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

/** One applied rate limit after this verification. */
export interface RateLimitInfo {
  name: string;
  limit: number;
  remaining: number;
  /**
   * Epoch ms: with nothing remaining, when one unit fits again (for the limit that denied a
   * request, when that request fits again); otherwise when the limit is whole again.
   */
  reset: number;
  /**
   * `reset` as ms after the verification, by the verifier's clock: `RateLimit`'s `t=` is
   * built from it when given, so it agrees with `Retry-After` whatever the local clock says.
   */
  resetAfterMs?: number;
  /** Window length in ms, when the verifier knows it (adds `w=` to `RateLimit-Policy`). */
  duration?: number;
}

export interface ConsumerInfo {
  id: string;
  externalId: string;
  name: string | null;
  meta: Record<string, unknown> | null;
}

/** The verified caller, handed to the route (`req.keyward`, `request.keyward`, `c.get('keyward')`). */
export interface KeywardIdentity {
  keyId: string;
  apiId: string;
  name: string | null;
  consumer: ConsumerInfo | null;
  /** The key's own permissions plus those of its roles. */
  permissions: string[];
  roles: string[];
  meta: Record<string, unknown> | null;
  /** Epoch ms, or null when the key never expires. */
  expiresAt: number | null;
  ratelimits: RateLimitInfo[];
  /** Remaining credits after this request; null when the key has no quota. */
  credits: { remaining: number } | null;
}

export type Verification =
  | { valid: true; code: 'VALID'; identity: KeywardIdentity }
  | {
      valid: false;
      code: DenialCode;
      ratelimits: RateLimitInfo[];
      credits: { remaining: number } | null;
      /** ms until a retry may succeed (RATE_LIMITED / USAGE_EXCEEDED); null when unknown. */
      retryAfterMs: number | null;
    };

/** What a route asks of a verification (mirrors `POST /v1/keys/verify` minus the key). */
export interface VerifyParams {
  /** Only keys of this API are accepted. */
  apiId?: string;
  /** Permission query, e.g. `sessions:write AND (stations:read OR admin)`. */
  permissions?: string;
  /** Credits this request costs; absent = 1 where the key has credits. */
  credits?: { cost: number };
  /** Limits to apply with their cost; absent = every limit of the key and its consumer, cost 1. */
  ratelimits?: ReadonlyArray<{ name: string; cost?: number }>;
  /** The caller's address, checked against the key's allowed IPs. */
  ip?: string;
  /** Labels recorded with the usage event. */
  tags?: readonly string[];
  /** Look up keyward-format keys only (foreign-format imported keys answer NOT_FOUND): for throttled clients. */
  keywardFormatOnly?: boolean;
}

/**
 * Verifies a presented key. Resolves with the outcome for every expected result (an
 * invalid key is a value); rejects only when verification could not run (verify API or
 * store unreachable), which the middleware answers with 503, never by letting the request through.
 */
export interface Verifier {
  verify(key: string, params: VerifyParams): Promise<Verification>;
}
