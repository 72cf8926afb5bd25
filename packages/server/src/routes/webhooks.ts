import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateWebhookBody,
  IdempotencyHeaders,
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
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

const tags = ['Webhooks'];
const security = ROOT_KEY_SECURITY;

/** `/v1/webhooks`: receivers of the workspace's events, signed per the Standard Webhooks specification. */
export const webhookRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/webhooks',
      {
        config: { permission: 'webhooks:write' },
        schema: {
          tags,
          security,
          summary: 'Subscribe a receiver to events (the signing secret is answered once)',
          body: CreateWebhookBody,
          headers: IdempotencyHeaders,
          response: { 201: WebhookWithSecret, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async () => ({
          status: 201,
          body: await createWebhook(deps, actorOf(request), request.body),
        })),
    );
    app.get(
      '/v1/webhooks',
      {
        config: { permission: 'webhooks:read' },
        schema: {
          tags,
          security,
          summary: 'List webhooks',
          querystring: ListWebhooksQuery,
          response: { 200: WebhookPage, ...PROBLEM_RESPONSES },
        },
      },
      (request) => listWebhooks(deps, actorOf(request), request.query),
    );
    app.get(
      '/v1/webhooks/:id',
      {
        config: { permission: 'webhooks:read' },
        schema: {
          tags,
          security,
          summary: 'Get a webhook',
          params: IdParams,
          response: { 200: WebhookView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getWebhook(deps, actorOf(request), request.params.id),
    );
    app.patch(
      '/v1/webhooks/:id',
      {
        config: { permission: 'webhooks:write' },
        schema: {
          tags,
          security,
          summary: 'Update a webhook (URL, events, description, enabled)',
          params: IdParams,
          body: UpdateWebhookBody,
          response: { 200: WebhookView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => updateWebhook(deps, actorOf(request), request.params.id, request.body),
    );
    app.delete(
      '/v1/webhooks/:id',
      {
        config: { permission: 'webhooks:write' },
        schema: {
          tags,
          security,
          summary: 'Delete a webhook with its pending messages and delivery log',
          params: IdParams,
          response: { 204: { type: 'null', description: 'Deleted' }, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await deleteWebhook(deps, actorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
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
