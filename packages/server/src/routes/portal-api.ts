import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IdParams,
  PageQuery,
  PortalCreateKeyBody,
  PortalExchangeBody,
  PortalIssuedKey,
  PortalKeyPage,
  PortalKeyView,
  PortalRollKeyBody,
  PortalSessionView,
  PortalUsage,
  PortalUsageQuery,
} from '@keyward/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  exchangePortalToken,
  type PortalAuthDeps,
  type PortalCaller,
  requirePortalCaller,
} from '../portal/portal-auth.js';
import {
  createPortalKey,
  listPortalKeys,
  type PortalKeyDeps,
  portalApis,
  portalApiView,
  portalUsage,
  revokePortalKey,
  rollPortalKey,
} from '../services/portal-keys.js';
import { expiredCookie, PORTAL_COOKIE, PORTAL_COOKIE_PATH, sessionCookie } from '../sessions/cookies.js';
import { ownOrigin } from '../sessions/csrf.js';
import { emptyBodyAsObject, PROBLEM_RESPONSES } from './route-kit.js';

const tags = ['Portal (customer)'];
const security = [{ portalSession: [] }];

/**
 * `/portal/api/...`: what a customer's portal page calls. Every route but the link
 * exchange authenticates the portal cookie (one consumer of one workspace) and passes the
 * CSRF check; every read and write is confined to that consumer's keys on the APIs whose
 * portal policy shows them. Root keys and dashboard sessions mean nothing here.
 */
export const portalApiRoutes =
  (auth: PortalAuthDeps, keys: PortalKeyDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const caller = (request: FastifyRequest) => requirePortalCaller(auth, request);
    const sessionView = async (request: FastifyRequest, c: PortalCaller): Promise<PortalSessionView> => {
      const { workspaceId } = c.session;
      const [branding, workspace, apis] = await Promise.all([
        auth.stores.portalSettings.getBranding(workspaceId),
        auth.service.store.workspaces.get(workspaceId),
        portalApis(keys, workspaceId),
      ]);
      return {
        customer: { externalId: c.consumer.externalId, name: c.consumer.name },
        branding: {
          name: branding.name ?? workspace?.name ?? 'API keys',
          logoUrl: branding.logoUrl,
          accentColor: branding.accentColor,
          apiBaseUrl: branding.apiBaseUrl,
        },
        returnUrl: c.session.returnUrl,
        expiresAt: c.session.expiresAt,
        apis: apis.map(portalApiView),
        verifyUrl: `${ownOrigin(request, auth.publicOrigin)}/v1/keys/verify`,
        csrfHeader: 'X-Keyward-Csrf',
      };
    };
    const forget = (request: FastifyRequest, reply: FastifyReply) =>
      reply.clearCookie(PORTAL_COOKIE, expiredCookie(request, PORTAL_COOKIE_PATH));

    app.post(
      '/portal/api/exchange',
      {
        schema: {
          tags,
          summary: "Trade a portal link's single-use token for the portal session cookie",
          body: PortalExchangeBody,
          response: { 201: PortalSessionView, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const { token, caller: c } = await exchangePortalToken(auth, request, request.body.token);
        reply.setCookie(
          PORTAL_COOKIE,
          token,
          sessionCookie(request, PORTAL_COOKIE_PATH, c.session.expiresAt - c.session.createdAt),
        );
        reply.code(201);
        return sessionView(request, c);
      },
    );
    app.get(
      '/portal/api/session',
      {
        schema: {
          tags,
          security,
          summary: 'The customer, the branding and the APIs the portal offers',
          response: { 200: PortalSessionView, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => sessionView(request, await caller(request)),
    );
    app.delete(
      '/portal/api/session',
      {
        schema: {
          tags,
          security,
          summary: 'Leave the portal: the session ends on the server',
          response: { 204: { type: 'null', description: 'Ended' }, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const c = await caller(request);
        await auth.stores.portal.endSession(c.session.id, auth.service.now());
        forget(request, reply);
        return reply.code(204).send();
      },
    );
    app.get(
      '/portal/api/keys',
      {
        schema: {
          tags,
          security,
          summary: "The customer's own keys, newest first",
          querystring: PageQuery,
          response: { 200: PortalKeyPage, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => listPortalKeys(keys, await caller(request), request.query.cursor),
    );
    app.post(
      '/portal/api/keys',
      {
        schema: {
          tags,
          security,
          summary: 'Create a key (the plaintext key is in this reply only)',
          body: PortalCreateKeyBody,
          response: { 201: PortalIssuedKey, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const issued = await createPortalKey(keys, await caller(request), request.body);
        reply.code(201);
        return issued;
      },
    );
    app.post(
      '/portal/api/keys/:id/roll',
      {
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          security,
          summary: 'Roll a key: a new secret (in this reply only); the old one works for the grace period',
          params: IdParams,
          body: PortalRollKeyBody,
          response: { 200: PortalIssuedKey, ...PROBLEM_RESPONSES },
        },
      },
      async (request) =>
        rollPortalKey(keys, await caller(request), request.params.id, request.body.gracePeriodMs ?? 0),
    );
    app.post(
      '/portal/api/keys/:id/revoke',
      {
        schema: {
          tags,
          security,
          summary: 'Revoke a key for good',
          params: IdParams,
          response: { 200: PortalKeyView, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => revokePortalKey(keys, await caller(request), request.params.id),
    );
    app.get(
      '/portal/api/usage',
      {
        schema: {
          tags,
          security,
          summary: "Verifications by outcome: of one of the customer's keys, or of all of them",
          querystring: PortalUsageQuery,
          response: { 200: PortalUsage, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => portalUsage(keys, await caller(request), request.query),
    );
  };
