import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, LifetimePolicyBody, LifetimePolicyView } from '@keyward/protocol';
import { deleteLifetimePolicy, getLifetimePolicy, putLifetimePolicy } from '../services/lifetime-policies.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

const tags = ['APIs'];
const security = ROOT_KEY_SECURITY;
const path = '/v1/apis/:id/policies/lifetime';

/** `/v1/apis/:id/policies/lifetime`: the API's key lifetime policy (read and written like the API itself). */
export const lifetimePolicyRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.get(
      path,
      {
        config: { permission: 'apis:read' },
        schema: {
          tags,
          security,
          summary: "Get the API's key lifetime policy",
          params: IdParams,
          response: { 200: LifetimePolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getLifetimePolicy(deps, actorOf(request), request.params.id),
    );
    app.put(
      path,
      {
        config: { permission: 'apis:write' },
        schema: {
          tags,
          security,
          summary: "Replace the API's key lifetime policy (left-out fields take their defaults)",
          params: IdParams,
          body: LifetimePolicyBody,
          response: { 200: LifetimePolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => putLifetimePolicy(deps, actorOf(request), request.params.id, request.body),
    );
    app.delete(
      path,
      {
        config: { permission: 'apis:write' },
        schema: {
          tags,
          security,
          summary: "Remove the API's key lifetime policy",
          params: IdParams,
          response: { 204: { type: 'null', description: 'Deleted' }, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await deleteLifetimePolicy(deps, actorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
  };
