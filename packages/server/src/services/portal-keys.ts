import { type Api, type KeyRecord, KeywardError } from '@keyward/core';
import type { PortalPolicy, SessionStores } from '@keyward/core/sessions';
import type { UsageEventStore, UsagePoint } from '@keyward/core/usage';
import type {
  PortalApiView,
  PortalCreateKeyBody,
  PortalIssuedKey,
  PortalKeyPage,
  PortalKeyView,
  PortalUsage,
  PortalUsageQuery,
} from '@keyward/protocol';
import type { PortalCaller } from '../portal/portal-auth.js';
import { keyView } from '../views.js';
import type { Actor, ServiceDeps } from './context.js';
import { revokeKey, rollKey } from './key-lifecycle.js';
import { createKey } from './keys.js';

export interface PortalKeyDeps {
  service: ServiceDeps;
  stores: SessionStores;
  usage: UsageEventStore | null;
}

/** An API the portal shows, with its policy. */
export interface PortalApi {
  api: Api;
  policy: PortalPolicy;
}

const notFound = () => new KeywardError('NOT_FOUND', 'key not found');
const notAllowed = (what: string) =>
  new KeywardError('FORBIDDEN', `the provider does not let customers ${what} keys of this API here`);

/** The APIs whose policy shows them in the portal (others do not exist as far as the portal knows). */
export async function portalApis(deps: PortalKeyDeps, workspaceId: string): Promise<PortalApi[]> {
  const policies = (await deps.stores.portalSettings.listPolicies(workspaceId)).filter((p) => p.enabled);
  const found: PortalApi[] = [];
  for (const policy of policies) {
    const api = await deps.service.store.apis.get(workspaceId, policy.apiId);
    if (api !== null) found.push({ api, policy });
  }
  return found;
}

export const portalApiView = ({ api, policy }: PortalApi): PortalApiView => ({
  id: api.id,
  name: api.name,
  prefix: api.prefix,
  allowCreate: policy.allowCreate,
  allowRoll: policy.allowRoll,
  allowRevoke: policy.allowRevoke,
  permissions: [...policy.permissions],
  ratelimits: policy.ratelimits.map((l) => ({ ...l })),
  maxKeysPerConsumer: policy.maxKeysPerConsumer,
});

async function portalKeyView(
  deps: PortalKeyDeps,
  key: KeyRecord,
  lastUsedAt: number | null,
): Promise<PortalKeyView> {
  const now = deps.service.now();
  const view = keyView(key, await deps.service.store.credits.get({ kind: 'key', id: key.id }, now), now);
  return {
    id: view.id,
    apiId: view.apiId,
    name: view.name,
    hint: view.hint,
    environment: view.environment,
    status: view.status,
    permissions: view.permissions,
    ratelimits: view.ratelimits,
    credits: view.credits,
    createdAt: view.createdAt,
    expiresAt: view.expiresAt,
    revokedAt: view.revokedAt,
    lastUsedAt,
    parentKeyId: view.parentKeyId,
  };
}

async function lastUsed(
  deps: PortalKeyDeps,
  workspaceId: string,
  ids: string[],
): Promise<Map<string, number | null>> {
  if (deps.usage === null || ids.length === 0) return new Map();
  const found = await deps.usage.keyUsage(workspaceId, ids);
  return new Map(ids.map((id) => [id, found.get(id)?.lastUsedAt ?? null]));
}

/**
 * The caller as the key services see it for one operation the portal has allowed: write
 * access to the one API's keys, nothing else (the portal checked the policy, the API and the
 * key's owner first; the services still check the API of every key they touch).
 */
const actingOn = (caller: PortalCaller, apiId: string): Actor => ({
  ...caller.actor,
  permissions: [`api.${apiId}.keys:write`],
});

/** The caller's own key on an API the portal shows, with that API's policy; `NOT_FOUND` for anything else. */
async function ownKey(
  deps: PortalKeyDeps,
  caller: PortalCaller,
  id: string,
): Promise<{ key: KeyRecord; api: PortalApi }> {
  const key = await deps.service.store.keys.get(caller.session.workspaceId, id);
  if (key === null || key.consumerId !== caller.consumer.id) throw notFound();
  const api = (await portalApis(deps, caller.session.workspaceId)).find((a) => a.api.id === key.apiId);
  if (api === undefined) throw notFound();
  return { key, api };
}

/** The caller's keys on the APIs the portal shows, newest first. */
export async function listPortalKeys(
  deps: PortalKeyDeps,
  caller: PortalCaller,
  cursor: string | undefined,
): Promise<PortalKeyPage> {
  const { workspaceId } = caller.session;
  const shown = new Set((await portalApis(deps, workspaceId)).map((a) => a.api.id));
  const page = await deps.service.store.keys.list(workspaceId, {
    consumerId: caller.consumer.id,
    order: 'desc',
    limit: 100,
    ...(cursor === undefined ? {} : { cursor }),
  });
  const keys = page.items.filter((k) => shown.has(k.apiId));
  const used = await lastUsed(
    deps,
    workspaceId,
    keys.map((k) => k.id),
  );
  return {
    items: await Promise.all(keys.map((k) => portalKeyView(deps, k, used.get(k.id) ?? null))),
    nextCursor: page.nextCursor,
  };
}

/** Live (not revoked) keys of one consumer on one API. */
async function liveKeyCount(deps: PortalKeyDeps, workspaceId: string, apiId: string, consumerId: string) {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = await deps.service.store.keys.list(workspaceId, { apiId, consumerId, limit: 100, cursor });
    count += page.items.filter((k) => k.revokedAt === null).length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return count;
}

/** Creations per consumer run one at a time on this node, so that two at once cannot both pass the key limit. */
const creating = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(key: string, run: () => Promise<T>): Promise<T> {
  const previous = creating.get(key) ?? Promise.resolve();
  const next = previous.then(run, run);
  creating.set(key, next);
  try {
    return await next;
  } finally {
    if (creating.get(key) === next) creating.delete(key);
  }
}

/**
 * Creates a key for the caller as the API's policy allows: its permissions (a subset the
 * customer picks), its rate limits and starting credits, under its key limit.
 */
export async function createPortalKey(
  deps: PortalKeyDeps,
  caller: PortalCaller,
  body: PortalCreateKeyBody,
): Promise<PortalIssuedKey> {
  const { workspaceId } = caller.session;
  const shown = (await portalApis(deps, workspaceId)).find((a) => a.api.id === body.apiId);
  if (shown === undefined) {
    throw new KeywardError('NOT_FOUND', 'no API with this body.apiId is offered in the portal', {
      field: 'body.apiId',
    });
  }
  const { policy } = shown;
  if (!policy.allowCreate) throw notAllowed('create');
  const allowed = new Set(policy.permissions);
  const permissions = body.permissions ?? policy.permissions;
  permissions.forEach((p, i) => {
    if (!allowed.has(p)) {
      throw new KeywardError('VALIDATION', `body.permissions[${i}] is not offered for this API`, {
        field: `body.permissions[${i}]`,
      });
    }
  });
  return oneAtATime(`${workspaceId}:${caller.consumer.id}:${policy.apiId}`, async () => {
    if (
      (await liveKeyCount(deps, workspaceId, policy.apiId, caller.consumer.id)) >= policy.maxKeysPerConsumer
    ) {
      throw new KeywardError(
        'CONFLICT',
        `you already hold ${policy.maxKeysPerConsumer} keys for this API: revoke one first`,
      );
    }
    const issued = await createKey(deps.service, actingOn(caller, policy.apiId), {
      apiId: policy.apiId,
      consumerId: caller.consumer.id,
      ...(body.name === undefined ? {} : { name: body.name }),
      permissions: [...new Set(permissions)],
      ratelimits: policy.ratelimits,
      ...(policy.credits === null
        ? {}
        : { credits: { remaining: policy.credits.remaining, refill: policy.credits.refill } }),
    });
    const record = await deps.service.store.keys.get(workspaceId, issued.id);
    if (record === null) throw notFound();
    return { ...(await portalKeyView(deps, record, null)), key: issued.key };
  });
}

export async function rollPortalKey(
  deps: PortalKeyDeps,
  caller: PortalCaller,
  id: string,
  gracePeriodMs: number,
): Promise<PortalIssuedKey> {
  const { api } = await ownKey(deps, caller, id);
  if (!api.policy.allowRoll) throw notAllowed('roll');
  const issued = await rollKey(deps.service, actingOn(caller, api.api.id), id, gracePeriodMs);
  const record = await deps.service.store.keys.get(caller.session.workspaceId, id);
  if (record === null) throw notFound();
  const used = await lastUsed(deps, caller.session.workspaceId, [id]);
  return { ...(await portalKeyView(deps, record, used.get(id) ?? null)), key: issued.key };
}

export async function revokePortalKey(
  deps: PortalKeyDeps,
  caller: PortalCaller,
  id: string,
): Promise<PortalKeyView> {
  const { api } = await ownKey(deps, caller, id);
  if (!api.policy.allowRevoke) throw notAllowed('revoke');
  await revokeKey(deps.service, actingOn(caller, api.api.id), id);
  const record = await deps.service.store.keys.get(caller.session.workspaceId, id);
  if (record === null) throw notFound();
  const used = await lastUsed(deps, caller.session.workspaceId, [id]);
  return portalKeyView(deps, record, used.get(id) ?? null);
}

const HOUR = 3_600_000;

/**
 * Verifications by outcome of one of the caller's keys, or of all their keys on the APIs
 * the portal shows (never of an API it hides): the last 48 hours or 30 days.
 */
export async function portalUsage(
  deps: PortalKeyDeps,
  caller: PortalCaller,
  query: PortalUsageQuery,
): Promise<PortalUsage> {
  const { workspaceId } = caller.session;
  const apiIds =
    query.keyId === undefined
      ? (await portalApis(deps, workspaceId)).map((a) => a.api.id)
      : [(await ownKey(deps, caller, query.keyId)).key.apiId];
  const granularity = query.granularity ?? 'day';
  const to = deps.service.now();
  const from = to - (granularity === 'hour' ? 48 * HOUR : 30 * 24 * HOUR);
  if (deps.usage === null || apiIds.length === 0) return { granularity, from, to, series: [] };
  const counts = new Map<string, UsagePoint>();
  let range = { from, to };
  for (const apiId of apiIds) {
    const series = await deps.usage.query({
      workspaceId,
      apiId,
      consumerId: caller.consumer.id,
      ...(query.keyId === undefined ? {} : { keyId: query.keyId }),
      from,
      to,
      granularity,
      groupBy: 'outcome',
    });
    range = { from: series.from, to: series.to };
    for (const point of series.series) {
      const id = `${point.start}|${point.outcome ?? ''}`;
      const seen = counts.get(id);
      if (seen === undefined) counts.set(id, { ...point });
      else seen.count += point.count;
    }
  }
  const series = [...counts.values()].sort(
    (a, b) => a.start - b.start || String(a.outcome).localeCompare(String(b.outcome)),
  );
  return { granularity, ...range, series };
}
