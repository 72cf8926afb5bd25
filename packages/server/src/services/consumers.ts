import { type Consumer, KeywardError, newId, type Page } from '@keyward/core';
import type {
  ConsumerView,
  CreateConsumerBody,
  ListConsumersQuery,
  UpdateConsumerBody,
} from '@keyward/protocol';
import { consumerView } from '../views.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { checkCredits, checkMeta, checkRateLimits, inPart } from './input-checks.js';
import { listPage } from './pagination.js';
import { write } from './transaction.js';

const notFound = (field?: string) =>
  new KeywardError('NOT_FOUND', 'consumer not found', field === undefined ? {} : { field });

/** The consumer of this workspace, or `NOT_FOUND`. */
export async function requireConsumer(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  field?: string,
): Promise<Consumer> {
  const consumer = await deps.store.consumers.get(actor.workspaceId, id);
  if (consumer === null) throw notFound(field);
  return consumer;
}

const owner = (id: string) => ({ kind: 'consumer' as const, id });

export async function viewConsumer(deps: ServiceDeps, consumer: Consumer): Promise<ConsumerView> {
  return consumerView(consumer, await deps.store.credits.get(owner(consumer.id), deps.now()));
}

/** Inserts a consumer (no audit: callers audit what they did as a whole). */
export async function insertConsumer(
  deps: ServiceDeps,
  actor: Actor,
  body: CreateConsumerBody,
): Promise<Consumer> {
  checkMeta(body.meta, 'body.meta');
  const ratelimits = checkRateLimits(body.ratelimits ?? [], 'body.ratelimits');
  const credits = body.credits ? checkCredits(body.credits, 'body.credits') : null;
  const now = deps.now();
  const consumer: Consumer = {
    id: newId('con'),
    workspaceId: actor.workspaceId,
    externalId: body.externalId,
    name: body.name ?? null,
    meta: body.meta ?? null,
    ratelimits,
    credits: credits?.config ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.consumers.create(consumer).catch((error: unknown) => {
    throw inPart(error, 'body');
  });
  if (credits !== null)
    await deps.store.credits.set(owner(consumer.id), credits.remaining, credits.config, now);
  return consumer;
}

export async function createConsumer(
  root: ServiceDeps,
  actor: Actor,
  body: CreateConsumerBody,
): Promise<ConsumerView> {
  return write(root, async (deps) => {
    const view = await viewConsumer(deps, await insertConsumer(deps, actor, body));
    await recordAudit(deps, actor, {
      action: 'consumer.create',
      targetType: 'consumer',
      targetId: view.id,
      before: null,
      after: view,
    });
    return view;
  });
}

export const getConsumer = async (deps: ServiceDeps, actor: Actor, id: string): Promise<ConsumerView> =>
  viewConsumer(deps, await requireConsumer(deps, actor, id));

export async function listConsumers(
  deps: ServiceDeps,
  actor: Actor,
  query: ListConsumersQuery,
): Promise<Page<ConsumerView>> {
  if (query.externalId !== undefined) {
    const found = await deps.store.consumers.getByExternalId(actor.workspaceId, query.externalId);
    return { items: found === null ? [] : [await viewConsumer(deps, found)], nextCursor: null };
  }
  const { externalId: _, ...pageQuery } = query;
  const page = await listPage(() => deps.store.consumers.list(actor.workspaceId, pageQuery));
  return {
    items: await Promise.all(page.items.map((c) => viewConsumer(deps, c))),
    nextCursor: page.nextCursor,
  };
}

export async function updateConsumer(
  root: ServiceDeps,
  actor: Actor,
  id: string,
  body: UpdateConsumerBody,
): Promise<ConsumerView> {
  return write(root, async (deps) => {
    checkMeta(body.meta, 'body.meta');
    const ratelimits =
      body.ratelimits === undefined ? undefined : checkRateLimits(body.ratelimits, 'body.ratelimits');
    const credits = body.credits ? checkCredits(body.credits, 'body.credits') : body.credits;
    const before = await viewConsumer(deps, await requireConsumer(deps, actor, id));
    const now = deps.now();
    const patch = {
      ...(body.externalId === undefined ? {} : { externalId: body.externalId }),
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.meta === undefined ? {} : { meta: body.meta }),
      ...(ratelimits === undefined ? {} : { ratelimits }),
      ...(credits === undefined ? {} : { credits: credits?.config ?? null }),
    };
    const updated = await deps.store.consumers
      .update(actor.workspaceId, id, patch, now)
      .catch((error: unknown) => {
        throw inPart(error, 'body');
      });
    if (updated === null) throw notFound();
    if (credits !== undefined) {
      await deps.store.credits.set(owner(id), credits?.remaining ?? null, credits?.config ?? null, now);
    }
    await deps.engine.invalidate({ type: 'consumer', consumerId: id });
    const view = await viewConsumer(deps, updated);
    await recordAudit(deps, actor, {
      action: 'consumer.update',
      targetType: 'consumer',
      targetId: id,
      before,
      after: view,
    });
    return view;
  });
}

/** Deletes the consumer; its keys keep working without it (and without its shared limits and quota). */
export async function deleteConsumer(root: ServiceDeps, actor: Actor, id: string): Promise<void> {
  return write(root, async (deps) => {
    const before = await viewConsumer(deps, await requireConsumer(deps, actor, id));
    if (!(await deps.store.consumers.delete(actor.workspaceId, id))) throw notFound();
    await deps.store.credits.set(owner(id), null, null, deps.now());
    await deps.engine.invalidate({ type: 'consumer', consumerId: id });
    await recordAudit(deps, actor, {
      action: 'consumer.delete',
      targetType: 'consumer',
      targetId: id,
      before,
      after: null,
    });
  });
}
