import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreateRoleBody, ListRolesQuery, RolePage, RoleView, UpdateRoleBody } from '@keyward/protocol';
import { createRole, deleteRole, getRole, listRoles, updateRole } from '../services/roles.js';
import { registerResourceRoutes } from './resource-routes.js';
import type { RouteContext } from './route-kit.js';

/** `/v1/roles`: named sets of permissions that keys hold by name. */
export const roleRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    registerResourceRoutes(app, ctx, {
      path: '/v1/roles',
      tag: 'Roles',
      read: 'roles:read',
      write: 'roles:write',
      create: { summary: 'Create a role', body: CreateRoleBody, reply: RoleView, run: createRole },
      list: { summary: 'List roles', query: ListRolesQuery, reply: RolePage, run: listRoles },
      get: { summary: 'Get a role', reply: RoleView, run: getRole },
      update: {
        summary: "Update a role's description or permissions (the name is fixed)",
        body: UpdateRoleBody,
        reply: RoleView,
        run: updateRole,
      },
      delete: { summary: 'Delete a role and detach it from every key', run: deleteRole },
    });
  };
