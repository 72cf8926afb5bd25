import { KeywardError, newId, type Page, type PageQuery } from '@keyward/core';
import {
  checkWebhookUrl,
  generateWebhookSecret,
  type WebhookEndpoint,
  type WebhookEndpointPatch,
} from '@keyward/core/webhooks';
import type {
  CreateWebhookBody,
  UpdateWebhookBody,
  WebhookDeliveryView,
  WebhookView,
  WebhookWithSecret,
} from '@keyward/protocol';
import { webhookDeliveryView, webhookView } from '../ops-views.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { listPage } from './pagination.js';
import { write } from './transaction.js';

const storeOf = (deps: ServiceDeps) => {
  if (deps.webhooks === undefined) throw new KeywardError('INTERNAL', 'webhooks are not configured');
  return deps.webhooks.store;
};

const notFound = () => new KeywardError('NOT_FOUND', 'webhook not found');

async function requireWebhook(deps: ServiceDeps, actor: Actor, id: string): Promise<WebhookEndpoint> {
  const endpoint = await storeOf(deps).getEndpoint(actor.workspaceId, id);
  if (endpoint === null) throw notFound();
  return endpoint;
}

/**
 * Subscribes a receiver URL to event types. The answer holds the signing secret
 * (`whsec_…`) this once; the receiver verifies every delivery with it. The URL's form is
 * checked here, its addresses at every delivery (DNS can change).
 */
export async function createWebhook(
  root: ServiceDeps,
  actor: Actor,
  body: CreateWebhookBody,
): Promise<WebhookWithSecret> {
  return write(root, async (deps) => {
    checkWebhookUrl(body.url, 'body.url');
    const now = deps.now();
    const endpoint: WebhookEndpoint = {
      id: newId('wh'),
      workspaceId: actor.workspaceId,
      url: body.url,
      description: body.description ?? null,
      events: [...new Set(body.events)],
      enabled: body.enabled ?? true,
      secret: generateWebhookSecret(),
      createdAt: now,
      updatedAt: now,
    };
    await storeOf(deps).createEndpoint(endpoint);
    const view = webhookView(endpoint);
    await recordAudit(deps, actor, {
      action: 'webhook.create',
      targetType: 'webhook',
      targetId: endpoint.id,
      before: null,
      after: view,
    });
    return { ...view, secret: endpoint.secret };
  });
}

export async function listWebhooks(
  deps: ServiceDeps,
  actor: Actor,
  query: PageQuery,
): Promise<Page<WebhookView>> {
  const page = await listPage(() => storeOf(deps).listEndpoints(actor.workspaceId, query));
  return { items: page.items.map(webhookView), nextCursor: page.nextCursor };
}

export const getWebhook = async (deps: ServiceDeps, actor: Actor, id: string): Promise<WebhookView> =>
  webhookView(await requireWebhook(deps, actor, id));

export async function updateWebhook(
  root: ServiceDeps,
  actor: Actor,
  id: string,
  body: UpdateWebhookBody,
): Promise<WebhookView> {
  return write(root, async (deps) => {
    const before = webhookView(await requireWebhook(deps, actor, id));
    if (body.url !== undefined) checkWebhookUrl(body.url, 'body.url');
    const patch: WebhookEndpointPatch = {};
    if (body.url !== undefined) patch.url = body.url;
    if (body.events !== undefined) patch.events = [...new Set(body.events)];
    if (body.description !== undefined) patch.description = body.description;
    if (body.enabled !== undefined) patch.enabled = body.enabled;
    const updated = await storeOf(deps).updateEndpoint(actor.workspaceId, id, patch, deps.now());
    if (updated === null) throw notFound();
    const view = webhookView(updated);
    await recordAudit(deps, actor, {
      action: 'webhook.update',
      targetType: 'webhook',
      targetId: id,
      before,
      after: view,
    });
    return view;
  });
}

/** Replaces the signing secret at once (answered this once); deliveries from then on are signed with the new one. */
export async function rotateWebhookSecret(
  root: ServiceDeps,
  actor: Actor,
  id: string,
): Promise<WebhookWithSecret> {
  return write(root, async (deps) => {
    await requireWebhook(deps, actor, id);
    const secret = generateWebhookSecret();
    const updated = await storeOf(deps).updateEndpoint(actor.workspaceId, id, { secret }, deps.now());
    if (updated === null) throw notFound();
    const view = webhookView(updated);
    await recordAudit(deps, actor, {
      action: 'webhook.rotate_secret',
      targetType: 'webhook',
      targetId: id,
      before: null,
      after: view,
    });
    return { ...view, secret };
  });
}

/** Deletes the endpoint with its pending messages and delivery log. */
export async function deleteWebhook(root: ServiceDeps, actor: Actor, id: string): Promise<void> {
  return write(root, async (deps) => {
    const before = webhookView(await requireWebhook(deps, actor, id));
    if (!(await storeOf(deps).deleteEndpoint(actor.workspaceId, id))) throw notFound();
    await recordAudit(deps, actor, {
      action: 'webhook.delete',
      targetType: 'webhook',
      targetId: id,
      before,
      after: null,
    });
  });
}

export async function listWebhookDeliveries(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  query: PageQuery,
): Promise<Page<WebhookDeliveryView>> {
  await requireWebhook(deps, actor, id);
  const page = await listPage(() => storeOf(deps).listDeliveries(actor.workspaceId, id, query));
  return { items: page.items.map(webhookDeliveryView), nextCursor: page.nextCursor };
}
