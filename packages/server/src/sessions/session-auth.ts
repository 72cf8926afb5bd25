import { createHmac } from 'node:crypto';
import { KeywardError } from '@keyward/core';
import type { FastifyRequest } from 'fastify';
import { rootKeyAllows } from '../root-permissions.js';
import { DASHBOARD_COOKIE } from './cookies.js';
import { checkCsrf } from './csrf.js';
import { type DashboardSessionDeps, resolveDashboardSession } from './dashboard-sessions.js';

/**
 * The `onRequest` hook that lets the dashboard's session cookie stand in for a root key on
 * admin routes (it runs before the root-key hook, which then leaves an authenticated
 * request alone). It acts only on routes that declare `config.permission`, only when no
 * `Authorization` header was sent (a Bearer token always wins), and only when the cookie
 * is present. The request must pass the CSRF check; the session grants exactly the
 * permissions its root key holds now.
 */
export function createSessionAuthenticator(deps: DashboardSessionDeps) {
  return async function authenticateSession(request: FastifyRequest): Promise<void> {
    // The header first: a Bearer root key (every verify call) skips Fastify's `routeOptions` getter.
    if (request.headers.authorization !== undefined) return;
    const required = request.routeOptions.config.permission;
    if (required === undefined) return;
    const token = request.cookies[DASHBOARD_COOKIE];
    if (token === undefined) return;
    checkCsrf(request, deps.options.publicOrigin);
    const { rootKey } = await resolveDashboardSession(deps, token, { ip: request.ip, requestId: request.id });
    if (!rootKeyAllows(rootKey.permissions, required)) {
      throw new KeywardError('FORBIDDEN', `the signed-in root key lacks the permission "${required}"`);
    }
    request.principal = {
      rootKeyId: rootKey.id,
      workspaceId: rootKey.workspaceId,
      permissions: rootKey.permissions,
      // Idempotent replies stay bound to a secret no database holds: here the session's token.
      replaySecret: createHmac('sha256', token).update('keyward idempotent reply').digest(),
    };
  };
}
