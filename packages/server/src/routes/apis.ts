import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ApiPage,
  ApiView,
  CreateApiBody,
  IdParams,
  ListApisQuery,
  PublishablePolicyBody,
  PublishablePolicyView,
  UpdateApiBody,
} from '@keyward/protocol';
import { createApi, deleteApi, getApi, listApis, updateApi } from '../services/apis.js';
import { getPublishablePolicy, putPublishablePolicy } from '../services/publishable.js';
import { registerResourceRoutes } from './resource-routes.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

/** `/v1/apis`: the protected APIs of the workspace and their key prefixes. */
export const apiRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    registerResourceRoutes(app, ctx, {
      path: '/v1/apis',
      tag: 'APIs',
      read: 'apis:read',
      write: 'apis:write',
      create: { summary: 'Create an API', body: CreateApiBody, reply: ApiView, run: createApi },
      list: { summary: 'List APIs', query: ListApisQuery, reply: ApiPage, run: listApis },
      get: { summary: 'Get an API', reply: ApiView, run: getApi },
      update: { summary: 'Update an API', body: UpdateApiBody, reply: ApiView, run: updateApi },
      delete: { summary: 'Delete an API and all its keys', run: deleteApi },
    });
    const { deps } = ctx;
    app.get(
      '/v1/apis/:id/policies/publishable',
      {
        config: { permission: 'apis:read' },
        schema: {
          tags: ['APIs'],
          security: ROOT_KEY_SECURITY,
          summary: "An API's publishable-key policy: public permissions and allowed browser origins",
          params: IdParams,
          response: { 200: PublishablePolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getPublishablePolicy(deps, actorOf(request), request.params.id),
    );
    app.put(
      '/v1/apis/:id/policies/publishable',
      {
        config: { permission: 'apis:write' },
        schema: {
          tags: ['APIs'],
          security: ROOT_KEY_SECURITY,
          summary: 'Set which permissions are public and which origins publishable keys work from',
          params: IdParams,
          body: PublishablePolicyBody,
          response: { 200: PublishablePolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => putPublishablePolicy(deps, actorOf(request), request.params.id, request.body),
    );
  };
