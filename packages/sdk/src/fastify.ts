import type { FastifyPluginCallback, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { authorizationLines, parseAuthorization } from './bearer.js';
import { clientHintsFrom } from './client-hints.js';
import { createGuard, type KeywardOptions } from './guard.js';
import type { KeywardIdentity } from './verification.js';

/** What a single route may set or override (`config: { keyward: { ... } }`). */
export type KeywardRouteOptions = Pick<
  KeywardOptions<FastifyRequest>,
  'permissions' | 'dryRunPermissions' | 'cost' | 'ratelimits' | 'apiId' | 'tags'
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by keyward on the routes it protects. */
    keyward?: KeywardIdentity;
  }
  interface FastifyContextConfig {
    /** keyward options of this route (with `keywardPlugin`); `false` leaves the route open. */
    keyward?: false | KeywardRouteOptions;
  }
}

export type KeywardFastifyOptions = KeywardOptions<FastifyRequest>;

/**
 * A hook that checks the Bearer key; use it as a route's `onRequest` (cheapest: before
 * the body is read) or `preHandler`. On success the identity is on `request.keyward` and
 * the RateLimit headers are set on the reply; otherwise it answers itself (answers.ts).
 * The client address is `request.ip`, which honours the app's `trustProxy` setting.
 *
 * @example
 * app.post('/sessions', { onRequest: keywardHook({ verifier, permissions: 'sessions:write' }) }, handler);
 */
export function keywardHook(options: KeywardFastifyOptions): onRequestAsyncHookHandler {
  const guard = createGuard<FastifyRequest>(options, {
    credential: (request) => parseAuthorization(authorizationLines(request.raw.rawHeaders)),
    target: (request) => request.url,
    ip: (request) => request.ip,
    client: (request) => clientHintsFrom((name) => request.headers[name]),
    requestId: (request) => String(request.id),
    onError: (error, request) => request.log.error({ err: error }, 'keyward: key verification failed'),
  });
  return async function keywardOnRequest(request: FastifyRequest, reply: FastifyReply) {
    const answer = await guard(request);
    reply.headers(answer.headers);
    if (!answer.allow) return reply.code(answer.status).send(JSON.stringify(answer.body));
    request.keyward = answer.identity;
  };
}

/** The same hook under the name Fastify users look for when they add it as a `preHandler`. */
export const keywardPreHandler = keywardHook;

/**
 * Protects every route registered after it in the same scope; a route sets its own
 * permissions, cost or limits through `config.keyward`, or opts out with `false`.
 *
 * @example
 * await app.register(keywardPlugin, { verifier, realm: 'charging' });
 * app.get('/stations', { config: { keyward: { permissions: 'stations:read' } } }, listStations);
 * app.get('/health', { config: { keyward: false } }, () => ({ ok: true }));
 */
export const keywardPlugin: FastifyPluginCallback<KeywardFastifyOptions> = (app, options, done) => {
  app.decorateRequest('keyward', undefined);
  // Hooks built here share one default throttle (it is keyed by the verifier).
  app.addHook('onRoute', (route) => {
    const own = route.config?.keyward;
    if (own === false) return;
    const hook = keywardHook({ ...options, ...own });
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined ? [hook] : [hook, ...(Array.isArray(existing) ? existing : [existing])];
  });
  done();
};
// Like fastify-plugin: the hooks apply to the scope that registers the plugin, not a child scope.
Object.assign(keywardPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'keyward',
});
