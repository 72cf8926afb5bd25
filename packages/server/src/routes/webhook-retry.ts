import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WebhookMessageParams, WebhookRetryView } from '@keyward/protocol';
import { retryWebhookMessage } from '../services/webhook-retry.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

/** `POST /v1/webhooks/:id/messages/:messageId/retry`: send a delivered or failed message again, now. */
export const webhookRetryRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/webhooks/:id/messages/:messageId/retry',
      {
        config: { permission: 'webhooks:write' },
        schema: {
          tags: ['Webhooks'],
          security: ROOT_KEY_SECURITY,
          summary: 'Send a message again now (one more attempt, whatever its state)',
          params: WebhookMessageParams,
          response: { 202: WebhookRetryView, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const { id, messageId } = request.params;
        const queued = await retryWebhookMessage(ctx.deps, actorOf(request), id, messageId);
        reply.code(202);
        return queued;
      },
    );
  };
