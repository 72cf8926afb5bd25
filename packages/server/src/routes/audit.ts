import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditPage, AuditVerifyQuery, AuditVerifyResponse, ListAuditQuery } from '@keyward/protocol';
import { listAuditEvents, verifyAuditEvents } from '../services/audit.js';
import { auditEventView } from '../views.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

const tags = ['Audit'];
const security = ROOT_KEY_SECURITY;

/**
 * `GET /v1/audit-events`: the workspace's append-only, hash-chained log of admin actions,
 * oldest first; `GET /v1/audit-events/verify` checks the chain end to end. `GET /v1/audit`,
 * the first name of the list, answers a 308 redirect to it (query kept) and is left out of
 * the OpenAPI document, so that it has one path per operation.
 */
export const auditRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/audit-events',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags,
          security,
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
    app.get(
      '/v1/audit',
      { config: { permission: 'audit:read' }, schema: { hide: true } },
      (request, reply) => {
        const query = request.url.indexOf('?');
        return reply.redirect(`/v1/audit-events${query === -1 ? '' : request.url.slice(query)}`, 308);
      },
    );
    app.get(
      '/v1/audit-events/verify',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags,
          security,
          summary: 'Verify the hash chain of the audit log (edits, deletions, reordering)',
          querystring: AuditVerifyQuery,
          response: { 200: AuditVerifyResponse, ...PROBLEM_RESPONSES },
        },
      },
      (request) => verifyAuditEvents(ctx.deps, actorOf(request), request.query),
    );
  };
