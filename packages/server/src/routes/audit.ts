import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditPage, ListAuditQuery } from '@keyward/sdk/schemas';
import { listAuditEvents } from '../services/audit.js';
import { auditEventView } from '../views.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

/** `GET /v1/audit`: the workspace's append-only log of admin actions, oldest first. */
export const auditRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/audit',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['Audit'],
          security: ROOT_KEY_SECURITY,
          summary: 'List audit events',
          querystring: ListAuditQuery,
          response: { 200: AuditPage, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => {
        const page = await listAuditEvents(ctx.deps, actorOf(request), request.query);
        return { items: page.items.map(auditEventView), nextCursor: page.nextCursor };
      },
    );
  };
