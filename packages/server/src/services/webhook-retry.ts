import { KeywardError } from '@keyward/core';
import type { WebhookRetryView } from '@keyward/protocol';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';

const notFound = () => new KeywardError('NOT_FOUND', 'webhook message not found');

/**
 * Sends one message of an endpoint again, now (the dashboard's "Retry" on a failed
 * delivery): the message goes back to the outbox as due, and the dispatcher is woken. A
 * message of another endpoint or workspace is `NOT_FOUND`.
 */
export async function retryWebhookMessage(
  deps: ServiceDeps,
  actor: Actor,
  endpointId: string,
  messageId: string,
): Promise<WebhookRetryView> {
  const outbox = deps.webhooks;
  if (outbox === undefined) throw new KeywardError('NOT_FOUND', 'webhooks are not enabled');
  const current = await outbox.store.getMessage(actor.workspaceId, messageId);
  if (current === null || current.endpointId !== endpointId) throw notFound();
  const queued = await outbox.store.retryMessage(actor.workspaceId, messageId, deps.now());
  if (queued === null) throw notFound();
  await recordAudit(deps, actor, {
    action: 'webhook.retry',
    targetType: 'webhook',
    targetId: endpointId,
    before: { messageId, status: current.status, attempts: current.attempts },
    after: { messageId, status: queued.status, attempts: queued.attempts },
  });
  outbox.notify();
  return { messageId, eventType: queued.eventType, status: 'pending', attempts: queued.attempts };
}
