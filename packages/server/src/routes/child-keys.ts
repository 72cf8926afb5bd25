import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { VerifiedIdentity } from '@keyward/core';
import {
  ChildKeyPolicyBody,
  ChildKeyPolicyView,
  IdParams,
  IssuedKey,
  MintChildKeyBody,
} from '@keyward/protocol';
import { answerFor, authorizationLines, hasQueryToken, type Outcome, parseAuthorization } from '@keyward/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { getChildKeyPolicy, mintChild, putChildKeyPolicy } from '../services/child-keys.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

/** The protection space of the Bearer challenge (as on the admin and verify API). */
const REALM = 'keyward';

/** OpenAPI security requirement of the mint route: an ordinary key (not a root key) as Bearer. */
export const KEY_SECURITY = [{ apiKeyBearer: [] }];

/** The verified parent of each mint request, set by its `onRequest` hook. */
const parents = new WeakMap<FastifyRequest, VerifiedIdentity>();

/**
 * Authenticates a mint request by its parent key, before the body is read (an unknown key
 * learns nothing about validation): the engine verifies it as one verification (its state, IP
 * list and rate limits apply; no credits are spent), and every refusal is the answer every
 * keyward face gives for that outcome (401 `invalid_token`, 403, 429).
 */
function authenticateParent(ctx: RouteContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const answer = (outcome: Outcome) => {
      const answered = answerFor(outcome, {
        realm: REALM,
        now: ctx.deps.now(),
        target: request.url,
        requestId: request.id,
      });
      if (answered.allow) return answered;
      return reply.code(answered.status).headers(answered.headers).send(answered.body);
    };
    if (hasQueryToken(request.url)) return answer({ kind: 'query_token' }) as FastifyReply;
    const credential = parseAuthorization(authorizationLines(request.raw.rawHeaders));
    if (credential.kind !== 'ok') return answer(credential) as FastifyReply;
    const verification = await ctx.deps.engine.verifyKey(credential.token, {
      ip: request.ip,
      credits: { cost: 0 },
      tags: ['keyward:mint-child'],
    });
    if (!verification.valid) return answer({ kind: 'verified', verification }) as FastifyReply;
    parents.set(request, verification.identity);
    return undefined;
  };
}

/**
 * `POST /v1/keys/children` (a key holder mints a short-lived child with its own key; not a
 * root-key route) and the per-API policy `GET/PUT /v1/apis/{id}/policies/child-keys`.
 */
export const childKeyRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/keys/children',
      {
        // Public for the root-key guard: the parent key authenticates it (hook below).
        config: { public: true },
        onRequest: authenticateParent(ctx),
        schema: {
          tags: ['Keys'],
          security: KEY_SECURITY,
          summary: 'Mint a short-lived child key with your own key (the plaintext is in this reply only)',
          body: MintChildKeyBody,
          response: { 201: IssuedKey, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const parent = parents.get(request);
        // The hook answered every request it did not verify; reaching here without one is a wiring bug.
        if (parent === undefined) throw new Error('child key route reached without a verified parent');
        const issued = await mintChild(deps, parent, request.body, {
          ip: request.ip ?? null,
          requestId: request.id,
        });
        reply.code(201);
        return issued;
      },
    );
    app.get(
      '/v1/apis/:id/policies/child-keys',
      {
        config: { permission: 'apis:read' },
        schema: {
          tags: ['APIs'],
          security: ROOT_KEY_SECURITY,
          summary: "An API's child-key policy (the defaults while none was set)",
          params: IdParams,
          response: { 200: ChildKeyPolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getChildKeyPolicy(deps, actorOf(request), request.params.id),
    );
    app.put(
      '/v1/apis/:id/policies/child-keys',
      {
        config: { permission: 'apis:write' },
        schema: {
          tags: ['APIs'],
          security: ROOT_KEY_SECURITY,
          summary: 'Set whether and how key holders of this API may mint child keys',
          params: IdParams,
          body: ChildKeyPolicyBody,
          response: { 200: ChildKeyPolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => putChildKeyPolicy(deps, actorOf(request), request.params.id, request.body),
    );
  };
