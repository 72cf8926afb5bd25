import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateWebhookBody,
  IdParams,
  ListWebhookDeliveriesQuery,
  ListWebhooksQuery,
  UpdateWebhookBody,
  WebhookDeliveryPage,
  WebhookPage,
  WebhookView,
  WebhookWithSecret,
} from '@keyward/protocol';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
} from '../services/webhooks.js';
import { registerResourceRoutes } from './resource-routes.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

const tags = ['Webhooks'];
const security = ROOT_KEY_SECURITY;

/** `/v1/webhooks`: receivers of the workspace's events, signed per the Standard Webhooks specification. */
export const webhookRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    registerResourceRoutes(app, ctx, {
      path: '/v1/webhooks',
      tag: 'Webhooks',
      read: 'webhooks:read',
      write: 'webhooks:write',
      create: {
        summary: 'Subscribe a receiver to events (the signing secret is answered once)',
        body: CreateWebhookBody,
        reply: WebhookWithSecret,
        run: createWebhook,
      },
      list: { summary: 'List webhooks', query: ListWebhooksQuery, reply: WebhookPage, run: listWebhooks },
      get: { summary: 'Get a webhook', reply: WebhookView, run: getWebhook },
      update: {
        summary: 'Update a webhook (URL, events, description, enabled)',
        body: UpdateWebhookBody,
        reply: WebhookView,
        run: updateWebhook,
      },
      delete: { summary: 'Delete a webhook with its pending messages and delivery log', run: deleteWebhook },
    });
    app.post(
      '/v1/webhooks/:id/rotate-secret',
      {
        config: { permission: 'webhooks:write' },
        schema: {
          tags,
          security,
          summary: 'Replace the signing secret (answered once)',
          params: IdParams,
          response: { 200: WebhookWithSecret, ...PROBLEM_RESPONSES },
        },
      },
      (request) => rotateWebhookSecret(deps, actorOf(request), request.params.id),
    );
    app.get(
      '/v1/webhooks/:id/deliveries',
      {
        config: { permission: 'webhooks:read' },
        schema: {
          tags,
          security,
          summary: 'Delivery attempts of a webhook, newest first',
          params: IdParams,
          querystring: ListWebhookDeliveriesQuery,
          response: { 200: WebhookDeliveryPage, ...PROBLEM_RESPONSES },
        },
      },
      (request) => listWebhookDeliveries(deps, actorOf(request), request.params.id, request.query),
    );
  };
