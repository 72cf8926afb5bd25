import { createHmac } from 'node:crypto';
import { type Engine, parseKey, type RootKey, type Store, safeEqualHex } from '@keyward/core';
import type { RootPermission } from '@keyward/protocol';
import { authorizationLines, type FailureThrottle, hasQueryToken, parseAuthorization } from '@keyward/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { failure } from './http-errors.js';
import { sendProblem } from './problem.js';
import type { RootKeyCache } from './root-key-cache.js';
import { ROOT_KEY_PREFIX } from './root-keys.js';
import { rootKeyAllows } from './root-permissions.js';

/** One route of the app, with what guards it. */
export interface RouteEntry {
  method: string;
  url: string;
  /** The root-key permission it requires; undefined for a public route. */
  permission: RootPermission | undefined;
}

/** The authenticated caller of an admin route. */
export interface Principal {
  readonly rootKeyId: string;
  readonly workspaceId: string;
  readonly permissions: readonly string[];
  /**
   * HMAC of the presented root key (never stored, never logged): binds stored idempotent
   * replies to the credential that made them, so the database alone cannot open them.
   */
  readonly replaySecret: Buffer;
}

/**
 * A Bearer root key's principal. The replay secret is computed on first read: only
 * idempotent creates need it, and an HMAC on every verification cost more than the
 * engine's whole verification. The presented key sits in a private field (out of
 * `JSON.stringify`, spreads and log serializers) for the request's lifetime, as it does in
 * the request's headers.
 */
class RootKeyPrincipal implements Principal {
  readonly rootKeyId: string;
  readonly workspaceId: string;
  readonly permissions: readonly string[];
  readonly #token: string;
  #replaySecret: Buffer | undefined;

  constructor(rootKey: RootKey, token: string) {
    this.rootKeyId = rootKey.id;
    this.workspaceId = rootKey.workspaceId;
    this.permissions = rootKey.permissions;
    this.#token = token;
  }

  get replaySecret(): Buffer {
    this.#replaySecret ??= createHmac('sha256', this.#token).update('keyward idempotent reply').digest();
    return this.#replaySecret;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the root-key hook on every route that declares `config.permission`. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route of the app, as registered (the route table security tests are generated from). */
    readonly keywardRoutes: readonly RouteEntry[];
  }
  interface FastifyContextConfig {
    /** The root-key permission an admin route requires; routes without it are public. */
    permission?: RootPermission;
    /** Marks a `/v1/` route public on purpose (authenticated otherwise, e.g. by a signature). */
    public?: true;
  }
}

export interface AuthenticatorDeps {
  store: Store;
  engine: Engine;
  cache: RootKeyCache;
  throttle: FailureThrottle;
  now: () => number;
}

const INVALID = failure('UNAUTHORIZED', 'the root key is invalid, revoked or unknown');
const MISSING = failure('UNAUTHORIZED', 'a root key is required: Authorization: Bearer <root key>');
const IN_URL = failure('BAD_REQUEST', 'send the root key in the Authorization header, never in the URL');
const DUPLICATE = failure('BAD_REQUEST', 'send exactly one Authorization header');
const THROTTLED = failure('TOO_MANY_FAILURES', 'too many invalid root keys from this address; retry later');

/**
 * The root-key check of admin routes, run as each guarded route's own `onRequest` hook (see
 * `guardAdminRoutes`): authenticates the Bearer root key, then checks the route's
 * `config.permission` (`required`). It runs before the body is read, so an
 * unauthenticated caller learns nothing about validation. The header is parsed by the
 * SDK's RFC 6750 parser and refused with the answers every keyward face gives (400 for a
 * key in the URL or two headers, 401 `invalid_token`, 429 `TOO_MANY_FAILURES`). Clients
 * presenting invalid keys repeatedly are throttled: from a blocked address, malformed
 * strings are answered 429 before any digest, well-formed root keys are still looked up
 * (valid ones pass: the address may be shared) and invalid ones answered 429. The stored
 * digest is compared in constant time.
 */
export function createAuthenticator(deps: AuthenticatorDeps) {
  const { store, engine, cache, throttle, now } = deps;

  const lookup = async (digest: string): Promise<RootKey | null> => {
    const at = now();
    const cached = cache.get(digest, at);
    if (cached !== undefined) return cached;
    let found: RootKey | null;
    try {
      found = await store.rootKeys.findByDigest(digest);
    } catch (error) {
      // While the database fails, a root key seen lately still authenticates (the verify API
      // keeps serving cached keys); an unknown one never does.
      const stale = cache.getStale(digest, now());
      if (stale === undefined) throw error;
      return stale;
    }
    cache.set(digest, found, at);
    return found;
  };

  /** Refuses a root key: 401 `invalid_token` counted against the address, or 429 while it is blocked. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, wait: number): FastifyReply => {
    if (wait === 0) {
      throttle.fail(request.ip, now());
      return sendProblem(reply, INVALID, { error: 'invalid_token' });
    }
    reply.header('retry-after', String(Math.ceil(wait / 1000)));
    return sendProblem(reply, THROTTLED);
  };

  return async function authenticate(
    request: FastifyRequest,
    reply: FastifyReply,
    required: RootPermission,
  ): Promise<FastifyReply | undefined> {
    // A principal already: the dashboard session hook authenticated it.
    if (request.principal !== null) return undefined;
    if (hasQueryToken(request.url)) return sendProblem(reply, IN_URL, { error: 'invalid_request' });
    const credential = parseAuthorization(authorizationLines(request.raw.rawHeaders));
    if (credential.kind === 'duplicate') return sendProblem(reply, DUPLICATE, { error: 'invalid_request' });
    if (credential.kind === 'missing') return sendProblem(reply, MISSING);
    // A blocked address may be shared (NAT, a proxy without trust-proxy): a valid root key
    // still passes; anything else from it is answered 429 (see failure-throttle.ts).
    const wait = throttle.blocked(request.ip, now());
    const token = credential.kind === 'ok' ? credential.token : null;
    const parsed = token === null ? null : parseKey(token);
    if (token === null || parsed === null || parsed.prefix !== ROOT_KEY_PREFIX)
      return refuse(request, reply, wait);
    const digest = engine.digest(token);
    const rootKey = await lookup(digest);
    if (rootKey === null || !safeEqualHex(rootKey.digest, digest) || rootKey.revokedAt !== null)
      return refuse(request, reply, wait);
    if (wait === 0) throttle.succeed(request.ip);
    if (!rootKeyAllows(rootKey.permissions, required)) {
      const lacking = failure('INSUFFICIENT_PERMISSIONS', `this root key lacks the permission "${required}"`);
      return sendProblem(reply, lacking, { error: 'insufficient_scope', scope: required });
    }
    request.principal = new RootKeyPrincipal(rootKey, token);
    return undefined;
  };
}

/**
 * Gives every route that declares `config.permission` its own `onRequest` hook running the
 * root-key check with that permission bound once, at registration. Public routes pay
 * nothing, and no request reads Fastify's `request.routeOptions` (a getter that builds a
 * dozen-field object per call). Route-level hooks run after the app's own `onRequest`
 * hooks, so the dashboard's session hook still goes first. Call it before any route is
 * registered.
 */
export function guardAdminRoutes(
  app: FastifyInstance,
  authenticate: ReturnType<typeof createAuthenticator>,
): void {
  app.addHook('onRoute', (route) => {
    const required = route.config?.permission;
    if (required === undefined) return;
    const guard = (request: FastifyRequest, reply: FastifyReply) => authenticate(request, reply, required);
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [guard, ...own];
  });
}
