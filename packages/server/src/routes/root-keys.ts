import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateRootKeyBody,
  IdempotencyHeaders,
  IdParams,
  IssuedRootKey,
  ListRootKeysQuery,
  RootKeyPage,
  RootKeyView,
} from '@keyward/protocol';
import {
  createRootKey,
  getRootKey,
  listRootKeys,
  revokeRootKey,
  rollRootKey,
} from '../services/root-keys.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

const tags = ['Root keys'];
const security = ROOT_KEY_SECURITY;

/** `/v1/root-keys`: the admin credentials of the workspace. */
export const rootKeyRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/root-keys',
      {
        config: { permission: 'root_keys:write' },
        schema: {
          tags,
          security,
          summary: 'Create a root key (the plaintext is in this reply only)',
          body: CreateRootKeyBody,
          headers: IdempotencyHeaders,
          response: { 201: IssuedRootKey, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async () => ({
          status: 201,
          body: await createRootKey(deps, actorOf(request), request.body),
        })),
    );
    app.get(
      '/v1/root-keys',
      {
        config: { permission: 'root_keys:read' },
        schema: {
          tags,
          security,
          summary: 'List root keys',
          querystring: ListRootKeysQuery,
          response: { 200: RootKeyPage, ...PROBLEM_RESPONSES },
        },
      },
      (request) => listRootKeys(deps, actorOf(request), request.query),
    );
    app.get(
      '/v1/root-keys/:id',
      {
        config: { permission: 'root_keys:read' },
        schema: {
          tags,
          security,
          summary: 'Get a root key',
          params: IdParams,
          response: { 200: RootKeyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getRootKey(deps, actorOf(request), request.params.id),
    );
    app.post(
      '/v1/root-keys/:id/roll',
      {
        config: { permission: 'root_keys:write' },
        schema: {
          tags,
          security,
          summary: 'Roll a root key (the old secret stops working at once)',
          params: IdParams,
          response: { 200: IssuedRootKey, ...PROBLEM_RESPONSES },
        },
      },
      (request) => rollRootKey(deps, actorOf(request), request.params.id),
    );
    app.post(
      '/v1/root-keys/:id/revoke',
      {
        config: { permission: 'root_keys:write' },
        schema: {
          tags,
          security,
          summary: 'Revoke a root key',
          params: IdParams,
          response: { 200: RootKeyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => revokeRootKey(deps, actorOf(request), request.params.id),
    );
  };
