import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreatePortalSessionBody,
  IdParams,
  PortalBrandingBody,
  PortalBrandingView,
  PortalPolicyBody,
  PortalPolicyView,
  PortalSessionLink,
} from '@keyward/protocol';
import {
  createPortalLink,
  getPortalBranding,
  getPortalPolicy,
  type PortalAdminDeps,
  putPortalBranding,
  putPortalPolicy,
} from '../services/portal-admin.js';
import { ownOrigin } from '../sessions/csrf.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY } from './route-kit.js';

const tags = ['Portal'];
const security = ROOT_KEY_SECURITY;

/**
 * The provider's side of the customer portal: portal links for one customer (as Stripe's
 * customer portal sessions), each API's portal policy and the portal's branding.
 */
export const portalAdminRoutes =
  (deps: PortalAdminDeps, publicOrigin: string | null): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/portal/sessions',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: 'Create a single-use portal link for one customer (redirect them to `url`)',
          body: CreatePortalSessionBody,
          response: { 201: PortalSessionLink, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const link = await createPortalLink(
          deps,
          actorOf(request),
          request.body,
          ownOrigin(request, publicOrigin),
        );
        reply.code(201);
        return link;
      },
    );
    app.get(
      '/v1/apis/:id/portal-policy',
      {
        config: { permission: 'apis:read' },
        schema: {
          tags,
          security,
          summary: "An API's portal policy (the default hides the API from the portal)",
          params: IdParams,
          response: { 200: PortalPolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getPortalPolicy(deps, actorOf(request), request.params.id),
    );
    app.put(
      '/v1/apis/:id/portal-policy',
      {
        config: { permission: 'apis:write' },
        schema: {
          tags,
          security,
          summary: 'Set what customers may do with this API’s keys in the portal',
          params: IdParams,
          body: PortalPolicyBody,
          response: { 200: PortalPolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => putPortalPolicy(deps, actorOf(request), request.params.id, request.body),
    );
    app.get(
      '/v1/portal/branding',
      {
        config: { permission: 'apis:read' },
        schema: {
          tags,
          security,
          summary: "The portal's branding: name, logo and accent colour",
          response: { 200: PortalBrandingView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getPortalBranding(deps, actorOf(request)),
    );
    app.put(
      '/v1/portal/branding',
      {
        config: { permission: 'apis:write' },
        schema: {
          tags,
          security,
          summary: "Set the portal's branding (logo: https only; accent: a hex colour)",
          body: PortalBrandingBody,
          response: { 200: PortalBrandingView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => putPortalBranding(deps, actorOf(request), request.body),
    );
  };
