import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateRootKeyBody,
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
import { registerResourceRoutes } from './resource-routes.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

const tags = ['Root keys'];
const security = ROOT_KEY_SECURITY;

/** `/v1/root-keys`: the admin credentials of the workspace. */
export const rootKeyRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    registerResourceRoutes(app, ctx, {
      path: '/v1/root-keys',
      tag: 'Root keys',
      read: 'root_keys:read',
      write: 'root_keys:write',
      create: {
        summary: 'Create a root key (the plaintext is in this reply only)',
        body: CreateRootKeyBody,
        reply: IssuedRootKey,
        run: createRootKey,
      },
      list: { summary: 'List root keys', query: ListRootKeysQuery, reply: RootKeyPage, run: listRootKeys },
      get: { summary: 'Get a root key', reply: RootKeyView, run: getRootKey },
    });
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
