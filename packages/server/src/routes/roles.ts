import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateRoleBody,
  IdempotencyHeaders,
  IdParams,
  ListRolesQuery,
  RolePage,
  RoleView,
  UpdateRoleBody,
} from '@keyward/protocol';
import { createRole, deleteRole, getRole, listRoles, updateRole } from '../services/roles.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

const tags = ['Roles'];
const security = ROOT_KEY_SECURITY;

/** `/v1/roles`: named sets of permissions that keys hold by name. */
export const roleRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/roles',
      {
        config: { permission: 'roles:write' },
        schema: {
          tags,
          security,
          summary: 'Create a role',
          body: CreateRoleBody,
          headers: IdempotencyHeaders,
          response: { 201: RoleView, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async () => ({
          status: 201,
          body: await createRole(deps, actorOf(request), request.body),
        })),
    );
    app.get(
      '/v1/roles',
      {
        config: { permission: 'roles:read' },
        schema: {
          tags,
          security,
          summary: 'List roles',
          querystring: ListRolesQuery,
          response: { 200: RolePage, ...PROBLEM_RESPONSES },
        },
      },
      (request) => listRoles(deps, actorOf(request), request.query),
    );
    app.get(
      '/v1/roles/:id',
      {
        config: { permission: 'roles:read' },
        schema: {
          tags,
          security,
          summary: 'Get a role',
          params: IdParams,
          response: { 200: RoleView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getRole(deps, actorOf(request), request.params.id),
    );
    app.patch(
      '/v1/roles/:id',
      {
        config: { permission: 'roles:write' },
        schema: {
          tags,
          security,
          summary: "Update a role's description or permissions (the name is fixed)",
          params: IdParams,
          body: UpdateRoleBody,
          response: { 200: RoleView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => updateRole(deps, actorOf(request), request.params.id, request.body),
    );
    app.delete(
      '/v1/roles/:id',
      {
        config: { permission: 'roles:write' },
        schema: {
          tags,
          security,
          summary: 'Delete a role and detach it from every key',
          params: IdParams,
          response: { 204: { type: 'null', description: 'Deleted' }, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await deleteRole(deps, actorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
  };
