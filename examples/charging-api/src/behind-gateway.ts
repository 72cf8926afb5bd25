import { evaluatePermissionQuery, parsePermissionQuery } from '@keyward/core';
import { type Answer, answerFor, gatewayIdentity, type VerifyResult } from '@keyward/sdk';
import type { FastifyInstance, FastifyReply, onRequestAsyncHookHandler } from 'fastify';

/**
 * Gateway mode: keyward's gateway (`gateway.yaml`) checks the key, the route's permission,
 * its limits and credits, then forwards the request with the caller's identity in
 * `X-Keyward-*` headers. This API no longer sees a key; it trusts those headers, which is
 * only safe because nothing but the gateway can reach it (it listens on 127.0.0.1 and the
 * gateway drops any `X-Keyward-*` header a client sends). A direct call carries no identity
 * and is answered 401.
 *
 * Each route's permission is checked again here, with the engine's own matching: the gateway
 * already enforced it from `gateway.yaml`, so this only matters if the two disagree (a route
 * added here but not there, a permission loosened there by mistake). Rate limits and credits
 * are the gateway's alone.
 */

const send = (reply: FastifyReply, answer: Answer) => {
  reply.headers(answer.headers);
  if (answer.allow) return reply;
  return reply.code(answer.status).send(JSON.stringify(answer.body));
};

/** 401 for a request that did not come through the gateway (or came through a public route). */
function notThroughGateway(realm: string): Answer {
  const answer = answerFor({ kind: 'missing' }, { realm, now: Date.now() });
  if (answer.allow) return answer;
  return {
    ...answer,
    body: { ...answer.body, detail: 'This API is reached through the keyward gateway, with a key.' },
  };
}

/** A denial for a missing permission, as the middleware would have had it from the verifier. */
const DENIED: VerifyResult = Object.freeze({
  valid: false,
  code: 'INSUFFICIENT_PERMISSIONS',
  identity: null,
  ratelimits: [],
  credits: null,
  retryAfterMs: null,
});

/** The hook of one route: the forwarded identity on `request.keyward`, and the route's permission query. */
function identityHook(realm: string, permissions: string | undefined): onRequestAsyncHookHandler {
  // Parsed once, at start-up: a malformed query fails the start, not a request.
  const query = permissions === undefined ? null : parsePermissionQuery(permissions);
  return async function gatewayIdentityOnRequest(request, reply) {
    const identity = gatewayIdentity(request.headers);
    if (identity === null) return send(reply, notThroughGateway(realm));
    if (query !== null && !evaluatePermissionQuery(query, identity.permissions)) {
      return send(
        reply,
        answerFor({ kind: 'verified', verification: DENIED, permissions }, { realm, now: Date.now() }),
      );
    }
    request.keyward = identity;
  };
}

/**
 * In place of `keywardPlugin`: every route registered afterwards on `app` (except those with
 * `config: { keyward: false }`) takes its caller from the gateway's headers and checks its
 * `config.keyward.permissions` against them.
 *
 * @example
 * trustGatewayIdentity(app, { realm: 'charging-api' });
 * app.get('/stations', { config: { keyward: { permissions: 'stations:read' } } }, list);
 */
export function trustGatewayIdentity(app: FastifyInstance, { realm }: { realm: string }): void {
  app.decorateRequest('keyward', undefined);
  app.addHook('onRoute', (route) => {
    const own = route.config?.keyward;
    if (own === false) return;
    const hook = identityHook(realm, own?.permissions);
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined ? [hook] : [hook, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
