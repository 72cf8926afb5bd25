import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditPage, AuditVerifyQuery, AuditVerifyResponse, ListAuditQuery } from '@keyward/protocol';
import { listAuditEvents, verifyAuditEvents } from '../services/audit.js';
import { auditEventView } from '../views.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

const tags = ['Audit'];
const security = ROOT_KEY_SECURITY;

/**
 * `GET /v1/audit-events`: the workspace's append-only, hash-chained log of admin actions,
 * oldest first (`GET /v1/audit` answers the same); `GET /v1/audit-events/verify` checks
 * the chain end to end.
 */
export const auditRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    for (const [url, summary] of [
      ['/v1/audit-events', 'List audit events'],
      ['/v1/audit', 'List audit events (same as /v1/audit-events)'],
    ] as const) {
      app.get(
        url,
        {
          config: { permission: 'audit:read' },
          schema: {
            tags,
            security,
            summary,
            querystring: ListAuditQuery,
            response: { 200: AuditPage, ...PROBLEM_RESPONSES },
          },
        },
        async (request) => {
          const page = await listAuditEvents(ctx.deps, actorOf(request), request.query);
          return { items: page.items.map(auditEventView), nextCursor: page.nextCursor };
        },
      );
    }
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
