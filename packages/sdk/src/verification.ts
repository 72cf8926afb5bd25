import type { ClientHints, VerifyResult, VerifyValid } from '@keyward/protocol';

export type {
  CreditState,
  DenialCode,
  RateLimitState,
  VerifiedConsumer,
  VerifiedIdentity,
  VerifyCode,
  VerifyDenied,
  VerifyResult,
  VerifyValid,
  WouldDeny,
} from '@keyward/protocol';

/**
 * The verified caller handed to the route (`req.keyward`, `request.keyward`,
 * `c.get('keyward')`): the key's identity, with this request's rate limits and credits.
 * Local mode (engine in-process), remote mode (verify API) and the gateway's headers all
 * produce it from the one `VerifyResult` of `@keyward/protocol`.
 */
export type KeywardIdentity = VerifyValid['identity'] &
  Pick<VerifyValid, 'ratelimits' | 'credits'> & {
    /** Dry-run rules that would have denied this request (absent: none); the request was let through. */
    wouldDeny?: VerifyValid['wouldDeny'];
  };

/** What a route asks of a verification (mirrors `POST /v1/keys/verify` minus the key). */
export interface VerifyParams {
  /** Only keys of this API are accepted. */
  apiId?: string;
  /** Permission query, e.g. `sessions:write AND (stations:read OR admin)`. */
  permissions?: string;
  /** Permission query evaluated in dry run: never denies, reported as would-deny INSUFFICIENT_PERMISSIONS. */
  dryRunPermissions?: string;
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
  /** What the middleware saw of the HTTP client (`Origin`, `Sec-Fetch-*`, `User-Agent`): publishable keys and exposure alerts need it. */
  client?: ClientHints;
}

/**
 * Verifies a presented key. Resolves with the outcome for every expected result (an
 * invalid key is a value); rejects only when verification could not run (verify API or
 * store unreachable), which the middleware answers with 503, never by letting the request through.
 */
export interface Verifier {
  verify(key: string, params: VerifyParams): Promise<VerifyResult>;
}
