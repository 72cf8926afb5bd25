import type { ClientHints } from '@keyward/protocol';
import { type Answer, answerFor, isValidRealm, type Outcome } from './answers.js';
import { type BearerCredential, hasQueryToken } from './bearer.js';
import {
  createFailureThrottle,
  type FailureThrottle,
  type FailureThrottleOptions,
} from './failure-throttle.js';
import { redactSecrets } from './redact.js';
import type { Verifier, VerifyParams } from './verification.js';

/** Options shared by the Express, Fastify and Hono middleware; `Req` is the framework's request. */
export interface KeywardOptions<Req> {
  /** How keys are checked: `localVerifier(engine)` (in-process) or `remoteVerifier({ ... })` (verify API). */
  verifier: Verifier;
  /** Protection space named in `WWW-Authenticate`. Printable ASCII. Default `keyward`. */
  realm?: string;
  /** Permission query this route needs, e.g. `sessions:write` or `stations:read AND admin`. Default: none. */
  permissions?: string;
  /**
   * Permission query evaluated in dry run after `permissions`: never denies; a key it would
   * refuse passes, with `wouldDeny` on the identity and in usage. Default: none.
   */
  dryRunPermissions?: string;
  /** Credits one request costs (0 allowed). Default: 1 where the key has credits. */
  cost?: number;
  /** Limits to apply with their cost. Default: every limit of the key and its consumer, cost 1. */
  ratelimits?: ReadonlyArray<{ name: string; cost?: number }>;
  /** Only keys of this API are accepted. Default: any API of the workspace. */
  apiId?: string;
  /**
   * The caller's address (allow-lists, throttling). Default: the framework's request ip,
   * which honours the app's own trusted-proxy setting; never a raw `X-Forwarded-For`.
   */
  getClientIp?: (req: Req) => string | undefined;
  /**
   * Brute-force throttling of invalid keys per client address (see failure-throttle.ts).
   * Default on: 20 invalid keys a minute block a client for 5 minutes, counted by one
   * throttle shared by every middleware of the same verifier. Pass options for a throttle
   * of this middleware only, a `createFailureThrottle()` instance (the SDK's or core's) to
   * share one across routes, or `false` to turn it off (e.g. a gateway in front throttles).
   */
  throttle?: false | FailureThrottleOptions | FailureThrottle;
  /** Labels recorded with the usage event (e.g. the route). Default: none. */
  tags?: (req: Req) => string[];
  /** Called when verification could not run (the request is answered 503). Default: logs the message. */
  onError?: (error: unknown, req: Req) => void;
  /** Clock in epoch ms for `Retry-After`, `RateLimit` and throttle windows; give it the engine's. Default `Date.now`. */
  now?: () => number;
}

/** How an adapter reads what the guard needs from its framework's request. */
export interface RequestReader<Req> {
  credential(req: Req): BearerCredential;
  /** Request target (path and query) as received. */
  target(req: Req): string;
  /** The framework's client address. */
  ip(req: Req): string | undefined;
  /** The framework's request id, quoted in problem answers; absent where it has none. */
  requestId?(req: Req): string | undefined;
  /** What the request's headers tell of its HTTP client (`clientHintsFrom`). Default: nothing. */
  client?(req: Req): ClientHints | undefined;
  /** Lower-case name of the header `credential` reads, for answer texts. Default `authorization`. */
  keyHeader?: string;
  onError(error: unknown, req: Req): void;
}

const sharedThrottles = new WeakMap<Verifier, FailureThrottle>();

const isThrottle = (value: FailureThrottleOptions | FailureThrottle): value is FailureThrottle =>
  typeof (value as Partial<FailureThrottle>).blocked === 'function';

function throttleFor(
  verifier: Verifier,
  option: KeywardOptions<unknown>['throttle'],
): FailureThrottle | null {
  if (option === false) return null;
  if (option !== undefined) return isThrottle(option) ? option : createFailureThrottle(option);
  let shared = sharedThrottles.get(verifier);
  if (shared === undefined) {
    shared = createFailureThrottle();
    sharedThrottles.set(verifier, shared);
  }
  return shared;
}

function staticParams(options: KeywardOptions<unknown>): VerifyParams {
  const { apiId, permissions, dryRunPermissions, cost, ratelimits } = options;
  if (cost !== undefined && !(Number.isInteger(cost) && cost >= 0)) {
    throw new RangeError('keyward: cost must be a non-negative integer');
  }
  for (const limit of ratelimits ?? []) {
    if (limit.name.length === 0) throw new RangeError('keyward: every rate limit needs a name');
    if (limit.cost !== undefined && !(Number.isInteger(limit.cost) && limit.cost >= 0)) {
      throw new RangeError(`keyward: cost of rate limit "${limit.name}" must be a non-negative integer`);
    }
  }
  return Object.freeze({
    ...(apiId === undefined ? {} : { apiId }),
    ...(permissions === undefined ? {} : { permissions }),
    ...(dryRunPermissions === undefined ? {} : { dryRunPermissions }),
    ...(cost === undefined ? {} : { credits: { cost } }),
    ...(ratelimits === undefined ? {} : { ratelimits: ratelimits.map((l) => ({ ...l })) }),
  });
}

/**
 * The framework-free pipeline every adapter runs: query token → credential → throttle
 * → verify → answer. Options are validated once here, not per request.
 */
export function createGuard<Req>(
  options: KeywardOptions<Req>,
  reader: RequestReader<Req>,
): (req: Req) => Promise<Answer> {
  const { verifier, realm = 'keyward', getClientIp, tags, onError, now = Date.now } = options;
  if (!isValidRealm(realm)) throw new RangeError('keyward: realm must be printable ASCII');
  const params = staticParams(options as KeywardOptions<unknown>);
  const throttle = throttleFor(verifier, options.throttle);
  const { keyHeader } = reader;
  // Built once, not per request: a closure per call is garbage, and under tsx (keepNames) a
  // named one also costs a defineProperty each time.
  const answer = (outcome: Outcome, req: Req, target: string): Answer =>
    answerFor(outcome, { realm, now: now(), target, requestId: reader.requestId?.(req), keyHeader });

  return async (req) => {
    const target = reader.target(req);
    if (hasQueryToken(target)) return answer({ kind: 'query_token' }, req, target);
    const credential = reader.credential(req);
    if (credential.kind === 'missing' || credential.kind === 'duplicate')
      return answer(credential, req, target);
    const ip = getClientIp === undefined ? reader.ip(req) : getClientIp(req);
    // Without an address there is nothing to count failures against.
    const client = throttle !== null && ip !== undefined ? ip : null;
    // A blocked address may be shared (NAT, a proxy without trust-proxy): its valid keys still
    // pass. Only keyward-format keys are looked up for it (~178 random bits: guessing stays
    // hopeless at any rate); malformed strings, foreign-format (possibly weak imported) keys and
    // unknown keys are answered 429.
    const wait = client === null ? 0 : (throttle?.blocked(client, now()) ?? 0);
    if (credential.kind === 'malformed') {
      if (wait > 0) return answer({ kind: 'throttled', retryAfterMs: wait }, req, target);
      if (client !== null) throttle?.fail(client, now());
      return answer(credential, req, target);
    }
    try {
      const request: VerifyParams = { ...params };
      if (ip !== undefined) request.ip = ip;
      if (tags !== undefined) request.tags = tags(req);
      const hints = reader.client?.(req);
      if (hints !== undefined) request.client = hints;
      if (wait > 0) request.keywardFormatOnly = true;
      const verification = await verifier.verify(credential.token, request);
      if (wait > 0 && verification.code === 'NOT_FOUND')
        return answer({ kind: 'throttled', retryAfterMs: wait }, req, target);
      if (client !== null) {
        // Only unknown keys count: a revoked or expired key is a stale client, not a guess.
        if (verification.code === 'NOT_FOUND') throttle?.fail(client, now());
        else if (verification.valid) throttle?.succeed(client);
      }
      return answer({ kind: 'verified', verification, permissions: params.permissions }, req, target);
    } catch (error) {
      (onError ?? reader.onError)(error, req);
      return answer({ kind: 'unavailable' }, req, target);
    }
  };
}

/**
 * The default `onError`: the message only, stacks stay out of logs; redacted, since a
 * message may quote what it failed on (a URL, a header).
 */
export const logVerificationError = (error: unknown): void => {
  console.error(
    redactSecrets(
      `keyward: key verification failed: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
};
