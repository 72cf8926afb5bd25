import { createHmac } from 'node:crypto';
import { type Engine, KeywardError, parseKey, type RootKey, type Store, safeEqualHex } from '@keyward/core';
import type { FailureThrottle } from '@keyward/sdk';
import type { RootPermission } from '@keyward/sdk/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpFailure } from './http-errors.js';
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
  rootKeyId: string;
  workspaceId: string;
  permissions: readonly string[];
  /**
   * HMAC of the presented root key (never stored, never logged): binds stored idempotent
   * replies to the credential that made them, so the database alone cannot open them.
   */
  replaySecret: Buffer;
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

/** RFC 6750 `Bearer` credentials: the scheme case-insensitively, one or more spaces, a token68. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The presented token; null when none was sent; '' when the header is malformed (two headers, another scheme). */
export function bearerToken(request: FastifyRequest): string | null {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'authorization') count++;
  const header = request.headers.authorization;
  if (count === 0 || header === undefined) return null;
  if (count > 1) return '';
  return BEARER.exec(header)?.[1] ?? '';
}

export interface AuthenticatorDeps {
  store: Store;
  engine: Engine;
  cache: RootKeyCache;
  throttle: FailureThrottle;
  now: () => number;
}

const invalid = () => new KeywardError('UNAUTHORIZED', 'the root key is invalid, revoked or unknown');

/**
 * The `onRequest` hook guarding admin routes: authenticates the Bearer root key, then
 * checks the route's `config.permission`. It runs before the body is read, so an
 * unauthenticated caller learns nothing about validation. Clients presenting invalid
 * keys repeatedly are throttled: from a blocked address, malformed strings are answered 429
 * before any digest, well-formed root keys are still looked up (valid ones pass: the
 * address may be shared) and invalid ones answered 429. The stored digest is compared in
 * constant time.
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

  return async function authenticate(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    const required = request.routeOptions.config.permission;
    if (required === undefined) return undefined;
    const token = bearerToken(request);
    if (token === null)
      throw new KeywardError('UNAUTHORIZED', 'a root key is required: Authorization: Bearer <root key>');
    // A blocked address may be shared (NAT, a proxy without trust-proxy): a valid root key
    // still passes; anything else from it is answered 429 (see failure-throttle.ts).
    const wait = throttle.blocked(request.ip, now());
    const refuse = (): FastifyReply | never => {
      if (wait === 0) {
        throttle.fail(request.ip, now());
        throw invalid();
      }
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      const failure = toHttpFailure(
        new KeywardError('TOO_MANY_REQUESTS', 'too many invalid root keys; retry later'),
      );
      return sendProblem(reply, failure);
    };
    const parsed = token === '' ? null : parseKey(token);
    if (parsed === null || parsed.prefix !== ROOT_KEY_PREFIX) return refuse();
    const digest = engine.digest(token);
    const rootKey = await lookup(digest);
    if (rootKey === null || !safeEqualHex(rootKey.digest, digest) || rootKey.revokedAt !== null)
      return refuse();
    if (wait === 0) throttle.succeed(request.ip);
    if (!rootKeyAllows(rootKey.permissions, required)) {
      throw new KeywardError('FORBIDDEN', `this root key lacks the permission "${required}"`);
    }
    request.principal = {
      rootKeyId: rootKey.id,
      workspaceId: rootKey.workspaceId,
      permissions: rootKey.permissions,
      replaySecret: createHmac('sha256', token).update('keyward idempotent reply').digest(),
    };
    return undefined;
  };
}
