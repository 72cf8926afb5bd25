import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiPage, ApiView, CreateApiBody, ListApisQuery, UpdateApiBody } from '@keyward/protocol';
import { createApi, deleteApi, getApi, listApis, updateApi } from '../services/apis.js';
import { registerResourceRoutes } from './resource-routes.js';
import type { RouteContext } from './route-kit.js';

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
  };
