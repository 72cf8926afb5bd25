import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { KeywardError } from '@keyward/core';
import { DashboardSessionView, SignInBody } from '@keyward/protocol';
import { authorizationLines, type FailureThrottle, parseAuthorization } from '@keyward/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DASHBOARD_COOKIE, expiredCookie, sessionCookie } from '../sessions/cookies.js';
import { checkCsrf } from '../sessions/csrf.js';
import {
  type DashboardSessionDeps,
  dashboardSessionView,
  endDashboardSession,
  resolveDashboardSession,
  rootKeyForSignIn,
  startDashboardSession,
} from '../sessions/dashboard-sessions.js';

/** The request's Bearer token: null when none was sent, '' when malformed or sent twice. */
const bearerToken = (request: FastifyRequest): string | null => {
  const credential = parseAuthorization(authorizationLines(request.raw.rawHeaders));
  if (credential.kind === 'missing') return null;
  return credential.kind === 'ok' ? credential.token : '';
};

import { emptyBodyAsObject, PROBLEM_RESPONSES } from './route-kit.js';

const tags = ['Dashboard'];
const security = [{ dashboardSession: [] }];

const origin = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id });

const signedOut = () => new KeywardError('UNAUTHORIZED', 'not signed in');

/**
 * `/dashboard/api/session`: sign in with a root key (the answer sets the session cookie),
 * see who is signed in, sign out (the session ends on the server). Every call passes the
 * CSRF check; failed sign-ins count in the same failure throttle as invalid root keys.
 */
export const dashboardSessionRoutes =
  (deps: DashboardSessionDeps, throttle: FailureThrottle): FastifyPluginAsyncTypebox =>
  async (app) => {
    const active = (request: FastifyRequest) => {
      checkCsrf(request, deps.options.publicOrigin);
      const token = request.cookies[DASHBOARD_COOKIE];
      if (token === undefined) throw signedOut();
      return resolveDashboardSession(deps, token, origin(request));
    };
    const forget = (request: FastifyRequest, reply: FastifyReply) =>
      reply.clearCookie(DASHBOARD_COOKIE, expiredCookie(request, '/'));

    app.post(
      '/dashboard/api/session',
      {
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          summary: 'Sign in to the dashboard with a root key (sets the session cookie)',
          description:
            'The root key goes in the body or as a Bearer token; the answer sets an HttpOnly, SameSite=Strict session cookie. ' +
            'Send `X-Keyward-Csrf: 1` and a same-origin `Origin`.',
          body: SignInBody,
          response: { 201: DashboardSessionView, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        checkCsrf(request, deps.options.publicOrigin);
        const at = deps.service.now();
        const wait = throttle.blocked(request.ip, at);
        if (wait > 0) {
          reply.header('retry-after', String(Math.ceil(wait / 1000)));
          throw new KeywardError('TOO_MANY_REQUESTS', 'too many invalid root keys; retry later');
        }
        const presented = request.body.rootKey ?? bearerToken(request);
        if (presented === null || presented === '') {
          throw new KeywardError('VALIDATION', 'body.rootKey is required (or send it as a Bearer token)', {
            field: 'body.rootKey',
          });
        }
        let rootKey: Awaited<ReturnType<typeof rootKeyForSignIn>>;
        try {
          rootKey = await rootKeyForSignIn(deps, presented);
        } catch (error) {
          throttle.fail(request.ip, deps.service.now());
          throw error;
        }
        throttle.succeed(request.ip);
        const { token, session } = await startDashboardSession(deps, rootKey, origin(request));
        reply.setCookie(DASHBOARD_COOKIE, token, sessionCookie(request, '/', deps.options.maxAgeMs));
        reply.code(201);
        return dashboardSessionView(deps, { session, rootKey });
      },
    );

    app.get(
      '/dashboard/api/session',
      {
        schema: {
          tags,
          security,
          summary: 'Who is signed in, and until when',
          response: { 200: DashboardSessionView, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => dashboardSessionView(deps, await active(request)),
    );

    app.delete(
      '/dashboard/api/session',
      {
        schema: {
          tags,
          security,
          summary: 'Sign out: the session ends on the server and the cookie is cleared',
          response: { 204: { type: 'null', description: 'Signed out' }, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const session = await active(request);
        await endDashboardSession(deps, session, 'sign-out', origin(request));
        forget(request, reply);
        return reply.code(204).send();
      },
    );
  };
