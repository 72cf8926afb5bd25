import {
  type BearerError,
  PROBLEM_HEADERS,
  type Problem,
  type ProblemCode,
  pathOf,
  problemDetails,
  type VerifyWarning,
} from '@keyward/protocol';
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
 * | FORBIDDEN_ORIGIN (publishable key, wrong origin)| 403   | none                                     |
 * | RATE_LIMITED, USAGE_EXCEEDED, throttled        | 429    | none; Retry-After + RateLimit headers    |
 * | verifier unreachable                           | 503    | none (fail closed)                       |
 *
 * A VALID key due for rotation (the `ROTATION_DUE` warning of its API's lifetime policy) is
 * admitted with `Deprecation` and `Sunset` headers (`rotationHeaders`).
 *
 * FORBIDDEN_IP follows Kong's ip-restriction plugin: 403 without a Bearer challenge.
 * The token is valid, so `invalid_token` would be false and tell the client to get a new
 * one; `insufficient_scope` would be false too (no scope grants an address). Bodies are
 * the RFC 9457 problem details every keyward face sends (`problemDetails` of
 * `@keyward/protocol`: one table of codes, statuses and titles), with the request's path
 * and id where the adapter knows them.
 */

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
  /** The request target; its path (never its query) becomes the problem's `instance`. */
  target?: string | undefined;
  /** The request's id, when the framework gives it one. */
  requestId?: string | undefined;
  /**
   * Lower-case name of the header that carries the key, for the answer texts. Default
   * `authorization` (`Authorization: Bearer <key>`); the gateway may read a bare key from
   * another (`X-Api-Key: <key>`).
   */
  keyHeader?: string | undefined;
}

/** An RFC 9110 quoted-string: `"` and `\` escaped; callers keep control characters out. */
export const quotedString = (value: string): string => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** True when `realm` can be sent in a quoted-string as is: printable ASCII, SP and HTAB. */
export const isValidRealm = (realm: string): boolean => /^[\t\x20-\x7e]*$/.test(realm);

/**
 * The challenge sent with every 401 (and, with its error code, every 400 and 403 about the
 * key); `scope` (space-separated permission names) goes with `insufficient_scope`.
 */
export function challengeFor(realm: string, error?: BearerError, scope?: string): string {
  const challenge = `Bearer realm=${quotedString(realm)}`;
  if (error === undefined) return challenge;
  const scopeParam = scope === undefined || scope === '' ? '' : `, scope=${quotedString(scope)}`;
  return `${challenge}, error="${error}"${scopeParam}`;
}

/** How a client must send its key, for answer texts: the header's name and a sample line. */
function keyHeaderOf(keyHeader = 'authorization'): { name: string; hint: string } {
  if (keyHeader === 'authorization') return { name: 'Authorization', hint: 'Authorization: Bearer <key>' };
  const name = keyHeader.replace(
    /(^|-)([a-z])/g,
    (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`,
  );
  return { name, hint: `${name}: <key>` };
}

/** The permission names a query mentions: the `scope` of an insufficient_scope challenge. */
export function scopeOf(query: string): string {
  const names = query.split(/[\s()]+/).filter((t) => t.length > 0 && !/^(and|or)$/i.test(t));
  return [...new Set(names)].join(' ');
}

const deny = (
  ctx: AnswerContext,
  code: ProblemCode,
  detail: string,
  headers: Record<string, string>,
  error?: BearerError,
): Answer => {
  const body = problemDetails({
    code,
    detail,
    error,
    instance: ctx.target === undefined ? undefined : pathOf(ctx.target),
    requestId: ctx.requestId,
  });
  return { allow: false, status: body.status, headers: { ...PROBLEM_HEADERS, ...headers }, body };
};

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
export function answerFor(outcome: Outcome, ctx: AnswerContext): Answer {
  const { realm, now } = ctx;
  const key = keyHeaderOf(ctx.keyHeader);
  switch (outcome.kind) {
    case 'query_token':
      return deny(
        ctx,
        'BAD_REQUEST',
        `Send the key in the ${key.name} header, never in the URL.`,
        { 'www-authenticate': challengeFor(realm, 'invalid_request') },
        'invalid_request',
      );
    case 'duplicate':
      return deny(
        ctx,
        'BAD_REQUEST',
        `Send exactly one ${key.name} header.`,
        { 'www-authenticate': challengeFor(realm, 'invalid_request') },
        'invalid_request',
      );
    case 'missing':
      return deny(ctx, 'UNAUTHORIZED', `This API needs a key: send ${key.hint}.`, {
        'www-authenticate': challengeFor(realm),
      });
    case 'malformed':
      return invalidToken(ctx);
    case 'throttled':
      return deny(ctx, 'TOO_MANY_FAILURES', 'Too many invalid keys from this address; retry later.', {
        'retry-after': retryAfterSeconds(outcome.retryAfterMs),
      });
    case 'unavailable':
      // keyward's circuit breakers try their dependency again every second.
      return deny(ctx, 'UNAVAILABLE', 'The key could not be verified; retry later.', { 'retry-after': '1' });
    case 'verified':
      return verifiedAnswer(outcome.verification, outcome.permissions, ctx, now);
  }
}

const invalidToken = (ctx: AnswerContext): Answer =>
  deny(
    ctx,
    'UNAUTHORIZED',
    'The key is invalid.',
    { 'www-authenticate': challengeFor(ctx.realm, 'invalid_token') },
    'invalid_token',
  );

/**
 * The headers of an admitted request whose key is due for rotation: `Deprecation` (RFC 9745,
 * `@<epoch seconds>` since when) and `Sunset` (RFC 8594, the HTTP date from which the key is
 * refused), so that a client library can warn its user without parsing any body.
 */
export const rotationHeaders = (warning: VerifyWarning): Record<string, string> => ({
  deprecation: `@${Math.floor(warning.dueAt / 1000)}`,
  sunset: new Date(warning.rotateBy).toUTCString(),
});

function verifiedAnswer(
  v: VerifyResult,
  permissions: string | undefined,
  ctx: AnswerContext,
  now: number,
): Answer {
  if (v.valid) {
    const identity: KeywardIdentity = { ...v.identity, ratelimits: v.ratelimits, credits: v.credits };
    if (v.wouldDeny !== undefined) identity.wouldDeny = v.wouldDeny;
    const headers = rateLimitHeaders(v.ratelimits, now) ?? {};
    const rotation = v.warnings?.find((warning) => warning.code === 'ROTATION_DUE');
    return {
      allow: true,
      identity,
      headers: rotation === undefined ? headers : { ...headers, ...rotationHeaders(rotation) },
    };
  }
  const limits = rateLimitHeaders(v.ratelimits, now) ?? {};
  switch (v.code) {
    case 'NOT_FOUND':
    case 'REVOKED':
    case 'EXPIRED':
    case 'DISABLED':
      return invalidToken(ctx);
    case 'INSUFFICIENT_PERMISSIONS': {
      const scope = permissions === undefined ? undefined : scopeOf(permissions);
      return deny(
        ctx,
        'INSUFFICIENT_PERMISSIONS',
        'The key lacks a permission this route needs.',
        { ...limits, 'www-authenticate': challengeFor(ctx.realm, 'insufficient_scope', scope) },
        'insufficient_scope',
      );
    }
    case 'FORBIDDEN_IP':
      return deny(ctx, 'FORBIDDEN_IP', 'The key may not be used from this address.', {});
    case 'FORBIDDEN_ORIGIN':
      // Like FORBIDDEN_IP: the key is valid, only not from here.
      return deny(ctx, 'FORBIDDEN_ORIGIN', 'The key may not be used from this origin.', {});
    case 'RATE_LIMITED':
      return deny(ctx, 'RATE_LIMITED', 'A rate limit of this key is exhausted.', {
        ...limits,
        'retry-after': retryAfterSeconds(v.retryAfterMs ?? exhaustedReset(v.ratelimits, now)),
      });
    case 'USAGE_EXCEEDED':
      // Without a refill no wait helps, so Retry-After is left out rather than invented.
      return deny(ctx, 'USAGE_EXCEEDED', 'The key has no credits left.', {
        ...limits,
        ...(v.retryAfterMs === null ? {} : { 'retry-after': retryAfterSeconds(v.retryAfterMs) }),
      });
  }
}
