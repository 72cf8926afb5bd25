import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateKeyBody,
  IdempotencyHeaders,
  IdParams,
  IssuedKey,
  KeyPage,
  KeyView,
  ListKeysQuery,
  UpdateKeyBody,
} from '@keyward/protocol';
import { createKey, getKey, listKeys, updateKey } from '../services/keys.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

const tags = ['Keys'];
const security = ROOT_KEY_SECURITY;

/** `/v1/keys`: issue, list, read and update keys (lifecycle actions are in `key-actions.ts`). */
export const keyRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/keys',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: 'Issue a key (the plaintext key is in this reply only)',
          body: CreateKeyBody,
          headers: IdempotencyHeaders,
          response: { 201: IssuedKey, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async () => ({
          status: 201,
          body: await createKey(deps, actorOf(request), request.body),
        })),
    );
    app.get(
      '/v1/keys',
      {
        config: { permission: 'keys:read' },
        schema: {
          tags,
          security,
          summary: 'List keys, optionally of one API or consumer',
          querystring: ListKeysQuery,
          response: { 200: KeyPage, ...PROBLEM_RESPONSES },
        },
      },
      (request) => listKeys(deps, actorOf(request), request.query),
    );
    app.get(
      '/v1/keys/:id',
      {
        config: { permission: 'keys:read' },
        schema: {
          tags,
          security,
          summary: 'Get a key',
          params: IdParams,
          response: { 200: KeyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getKey(deps, actorOf(request), request.params.id),
    );
    app.patch(
      '/v1/keys/:id',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: 'Update a key',
          params: IdParams,
          body: UpdateKeyBody,
          response: { 200: KeyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => updateKey(deps, actorOf(request), request.params.id, request.body),
    );
  };
