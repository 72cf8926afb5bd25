import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ApiPage,
  ApiView,
  CreateApiBody,
  IdempotencyHeaders,
  IdParams,
  ListApisQuery,
  UpdateApiBody,
} from '@keyward/protocol';
import { createApi, deleteApi, getApi, listApis, updateApi } from '../services/apis.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

const tags = ['APIs'];
const security = ROOT_KEY_SECURITY;

/** `/v1/apis`: the protected APIs of the workspace and their key prefixes. */
export const apiRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/apis',
      {
        config: { permission: 'apis:write' },
        schema: {
          tags,
          security,
          summary: 'Create an API',
          body: CreateApiBody,
          headers: IdempotencyHeaders,
          response: { 201: ApiView, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async () => ({
          status: 201,
          body: await createApi(deps, actorOf(request), request.body),
        })),
    );
    app.get(
      '/v1/apis',
      {
        config: { permission: 'apis:read' },
        schema: {
          tags,
          security,
          summary: 'List APIs',
          querystring: ListApisQuery,
          response: { 200: ApiPage, ...PROBLEM_RESPONSES },
        },
      },
      (request) => listApis(deps, actorOf(request), request.query),
    );
    app.get(
      '/v1/apis/:id',
      {
        config: { permission: 'apis:read' },
        schema: {
          tags,
          security,
          summary: 'Get an API',
          params: IdParams,
          response: { 200: ApiView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getApi(deps, actorOf(request), request.params.id),
    );
    app.patch(
      '/v1/apis/:id',
      {
        config: { permission: 'apis:write' },
        schema: {
          tags,
          security,
          summary: 'Update an API',
          params: IdParams,
          body: UpdateApiBody,
          response: { 200: ApiView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => updateApi(deps, actorOf(request), request.params.id, request.body),
    );
    app.delete(
      '/v1/apis/:id',
      {
        config: { permission: 'apis:write' },
        schema: {
          tags,
          security,
          summary: 'Delete an API and all its keys',
          params: IdParams,
          response: { 204: { type: 'null', description: 'Deleted' }, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await deleteApi(deps, actorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
  };
