import { rateLimitHeaders } from './ratelimit-headers.js';
import type { KeywardIdentity, RateLimitState, VerifyResult } from './verification.js';

/**
 * The one mapping from a verification outcome to an HTTP answer, used by every
 * middleware (and the gateway), so a key is answered the same everywhere:
 *
 * | outcome                                        | status | WWW-Authenticate (Bearer realm=...)      |
 * |------------------------------------------------|--------|------------------------------------------|
 * | token in the query, two Authorization headers  | 400    | error="invalid_request"                  |
 * | no credentials (or another scheme)             | 401    | (no error: RFC 6750 §3.1)                |
 * | malformed, NOT_FOUND, REVOKED, EXPIRED, DISABLED| 401   | error="invalid_token" (identical answers)|
 * | INSUFFICIENT_PERMISSIONS                       | 403    | error="insufficient_scope", scope="..."  |
 * | FORBIDDEN_IP                                   | 403    | none                                     |
 * | RATE_LIMITED, USAGE_EXCEEDED, throttled        | 429    | none; Retry-After + RateLimit headers    |
 * | verifier unreachable                           | 503    | none (fail closed)                       |
 *
 * FORBIDDEN_IP follows Kong's ip-restriction plugin: 403 without a Bearer challenge.
 * The token is valid, so `invalid_token` would be false and tell the client to get a new
 * one; `insufficient_scope` would be false too (no scope grants an address). Bodies are
 * RFC 9457 problem details with `type: about:blank` and the status phrase as title.
 */

export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  /** RFC 6750 error code, when one applies. */
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  /** The denial code, only where telling it reveals nothing about other keys (403, 429). */
  code?:
    | 'FORBIDDEN_IP'
    | 'INSUFFICIENT_PERMISSIONS'
    | 'RATE_LIMITED'
    | 'USAGE_EXCEEDED'
    | 'TOO_MANY_FAILURES';
}

export type Answer =
  | { allow: true; identity: KeywardIdentity; headers: Record<string, string> }
  | { allow: false; status: number; headers: Record<string, string>; body: Problem };

/** What the middleware found before (or instead of) a verification. */
export type Outcome =
  | { kind: 'query_token' }
  | { kind: 'duplicate' }
  | { kind: 'missing' }
  | { kind: 'malformed' }
  /** Too many invalid keys from this address (brute-force throttle). */
  | { kind: 'throttled'; retryAfterMs: number }
  /** The verifier failed (verify API down, store unreachable). */
  | { kind: 'unavailable' }
  | { kind: 'verified'; verification: VerifyResult; permissions?: string | undefined };

export interface AnswerContext {
  /** Protection space named in `WWW-Authenticate`. */
  realm: string;
  /** Epoch ms, to turn resets into seconds. */
  now: number;
}

/** An RFC 9110 quoted-string: `"` and `\` escaped; callers keep control characters out. */
export const quotedString = (value: string): string => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** True when `realm` can be sent in a quoted-string as is: printable ASCII, SP and HTAB. */
export const isValidRealm = (realm: string): boolean => /^[\t\x20-\x7e]*$/.test(realm);

/** The challenge sent with every 401, for faces that build their own answers. */
export const challengeFor = (realm: string): string => `Bearer realm=${quotedString(realm)}`;

/** The permission names a query mentions: the `scope` of an insufficient_scope challenge. */
export function scopeOf(query: string): string {
  const names = query.split(/[\s()]+/).filter((t) => t.length > 0 && !/^(and|or)$/i.test(t));
  return [...new Set(names)].join(' ');
}

const PROBLEM_HEADERS = { 'content-type': 'application/problem+json', 'cache-control': 'no-store' };

const deny = (
  status: number,
  title: string,
  detail: string,
  extra: Partial<Problem>,
  headers: Record<string, string>,
) =>
  ({
    allow: false,
    status,
    headers: { ...PROBLEM_HEADERS, ...headers },
    body: { type: 'about:blank', title, status, detail, ...extra },
  }) satisfies Answer;

const retryAfterSeconds = (ms: number): string => String(Math.max(1, Math.ceil(ms / 1000)));

/** A retry time for a rate-limit denial when the verifier gave none: when the exhausted limits reset. */
const exhaustedReset = (limits: readonly RateLimitState[], now: number): number => {
  const exhausted = limits.filter((l) => l.remaining <= 0);
  return exhausted.length === 0 ? 1000 : Math.max(...exhausted.map((l) => l.reset - now));
};

/**
 * Maps an outcome to the answer every keyward face sends.
 *
 * @example answerFor({ kind: 'missing' }, { realm: 'charging', now: Date.now() }).status // 401
 */
export function answerFor(outcome: Outcome, { realm, now }: AnswerContext): Answer {
  const challenge = challengeFor(realm);
  switch (outcome.kind) {
    case 'query_token':
      return deny(
        400,
        'Bad Request',
        'Send the key in the Authorization header, never in the URL.',
        { error: 'invalid_request' },
        { 'www-authenticate': `${challenge}, error="invalid_request"` },
      );
    case 'duplicate':
      return deny(
        400,
        'Bad Request',
        'Send exactly one Authorization header.',
        { error: 'invalid_request' },
        { 'www-authenticate': `${challenge}, error="invalid_request"` },
      );
    case 'missing':
      return deny(
        401,
        'Unauthorized',
        'This API needs a key: send Authorization: Bearer <key>.',
        {},
        {
          'www-authenticate': challenge,
        },
      );
    case 'malformed':
      return invalidToken(challenge);
    case 'throttled':
      return deny(
        429,
        'Too Many Requests',
        'Too many invalid keys from this address; retry later.',
        { code: 'TOO_MANY_FAILURES' },
        { 'retry-after': retryAfterSeconds(outcome.retryAfterMs) },
      );
    case 'unavailable':
      return deny(
        503,
        'Service Unavailable',
        'The key could not be verified; retry later.',
        {},
        {
          // keyward's circuit breakers try their dependency again every second.
          'retry-after': '1',
        },
      );
    case 'verified':
      return verifiedAnswer(outcome.verification, outcome.permissions, challenge, now);
  }
}

function invalidToken(challenge: string): Answer {
  return deny(
    401,
    'Unauthorized',
    'The key is invalid.',
    { error: 'invalid_token' },
    {
      'www-authenticate': `${challenge}, error="invalid_token"`,
    },
  );
}

function verifiedAnswer(
  v: VerifyResult,
  permissions: string | undefined,
  challenge: string,
  now: number,
): Answer {
  if (v.valid) {
    const identity: KeywardIdentity = { ...v.identity, ratelimits: v.ratelimits, credits: v.credits };
    return { allow: true, identity, headers: rateLimitHeaders(v.ratelimits, now) ?? {} };
  }
  const limits = rateLimitHeaders(v.ratelimits, now) ?? {};
  switch (v.code) {
    case 'NOT_FOUND':
    case 'REVOKED':
    case 'EXPIRED':
    case 'DISABLED':
      return invalidToken(challenge);
    case 'INSUFFICIENT_PERMISSIONS': {
      const scope = permissions === undefined ? '' : scopeOf(permissions);
      const scopeParam = scope === '' ? '' : `, scope=${quotedString(scope)}`;
      return deny(
        403,
        'Forbidden',
        'The key lacks a permission this route needs.',
        { error: 'insufficient_scope', code: 'INSUFFICIENT_PERMISSIONS' },
        { ...limits, 'www-authenticate': `${challenge}, error="insufficient_scope"${scopeParam}` },
      );
    }
    case 'FORBIDDEN_IP':
      return deny(
        403,
        'Forbidden',
        'The key may not be used from this address.',
        { code: 'FORBIDDEN_IP' },
        {},
      );
    case 'RATE_LIMITED':
      return deny(
        429,
        'Too Many Requests',
        'A rate limit of this key is exhausted.',
        { code: 'RATE_LIMITED' },
        {
          ...limits,
          'retry-after': retryAfterSeconds(v.retryAfterMs ?? exhaustedReset(v.ratelimits, now)),
        },
      );
    case 'USAGE_EXCEEDED':
      // Without a refill no wait helps, so Retry-After is left out rather than invented.
      return deny(
        429,
        'Too Many Requests',
        'The key has no credits left.',
        { code: 'USAGE_EXCEEDED' },
        {
          ...limits,
          ...(v.retryAfterMs === null ? {} : { 'retry-after': retryAfterSeconds(v.retryAfterMs) }),
        },
      );
  }
}
