import { envelopeBody, type WebhookEventType } from '@keyward/core/webhooks';
import type { ServiceDeps } from './context.js';

/**
 * Queues a webhook event for every endpoint of the workspace subscribed to its type, in
 * the outbox table (the dispatcher delivers from there, so a crash after this call loses
 * nothing). Called right after the store write it announces; `data` holds public views only.
 * A no-op when the app runs without webhooks.
 */
export async function publishEvent(
  deps: ServiceDeps,
  workspaceId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
): Promise<void> {
  const outbox = deps.webhooks;
  if (outbox === undefined) return;
  const now = deps.now();
  const queued = await outbox.store.enqueue(workspaceId, type, envelopeBody(type, data, now), now);
  if (queued.length > 0) outbox.notify();
}
