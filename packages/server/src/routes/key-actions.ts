import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AttachRolesBody, IdParams, IssuedKey, KeyRoleParams, KeyView, RollKeyBody } from '@keyward/protocol';
import { revokeKey, rollKey } from '../services/key-lifecycle.js';
import { attachRoles, detachRole } from '../services/key-roles.js';
import {
  actorOf,
  emptyBodyAsObject,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

const tags = ['Keys'];
const security = ROOT_KEY_SECURITY;

/** Lifecycle of one key: revoke, roll, and its roles. */
export const keyActionRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/keys/:id/revoke',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: 'Revoke a key',
          params: IdParams,
          response: { 200: KeyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => revokeKey(deps, actorOf(request), request.params.id),
    );
    app.post(
      '/v1/keys/:id/roll',
      {
        config: { permission: 'keys:write' },
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          security,
          summary: 'Roll a key: a new secret now, the old one valid for a grace period',
          params: IdParams,
          body: RollKeyBody,
          response: { 200: IssuedKey, ...PROBLEM_RESPONSES },
        },
      },
      (request) => rollKey(deps, actorOf(request), request.params.id, request.body.gracePeriodMs ?? 0),
    );
    app.post(
      '/v1/keys/:id/roles',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: 'Attach roles to a key',
          params: IdParams,
          body: AttachRolesBody,
          response: { 200: KeyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => attachRoles(deps, actorOf(request), request.params.id, request.body.roles),
    );
    app.delete(
      '/v1/keys/:id/roles/:name',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: 'Detach a role from a key',
          params: KeyRoleParams,
          response: { 200: KeyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => detachRole(deps, actorOf(request), request.params.id, request.params.name),
    );
  };
