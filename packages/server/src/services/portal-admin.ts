import { KeywardError } from '@keyward/core';
import {
  newSessionToken,
  type PortalBranding,
  type PortalPolicy,
  type PortalToken,
  type SessionStores,
  tokenDigest,
} from '@keyward/core/sessions';
import type {
  CreatePortalSessionBody,
  PortalBrandingBody,
  PortalBrandingView,
  PortalPolicyBody,
  PortalPolicyView,
  PortalSessionLink,
} from '@keyward/protocol';
import { holdsWorkspaceWide } from './api-access.js';
import { requireApi } from './apis.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { checkCredits, checkPermissions, checkRateLimits } from './input-checks.js';

/** What the portal's admin side needs besides the usual services. */
export interface PortalAdminDeps {
  service: ServiceDeps;
  stores: SessionStores;
  /** How long a link works before it is opened. */
  linkTtlMs: number;
}

const invalid = (field: string, message: string) =>
  new KeywardError('VALIDATION', `${field} ${message}`, { field });

/**
 * A return URL the portal may link back to: absolute http(s), no credentials. Anything
 * else (`javascript:`, relative paths, `//host`) would turn the "back" link into an open
 * redirect or a script, so it is refused.
 */
export function checkReturnUrl(raw: string, field: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw invalid(field, 'must be an absolute http:// or https:// URL');
  }
  if (url.username !== '' || url.password !== '') throw invalid(field, 'must not carry credentials');
  return url.href;
}

/** A logo the portal may load: https only (the portal's CSP allows https images and nothing else remote). */
export function checkLogoUrl(raw: string, field: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (url === null || url.protocol !== 'https:') throw invalid(field, 'must be an https:// URL');
  if (url.username !== '' || url.password !== '') throw invalid(field, 'must not carry credentials');
  return url.href;
}

/**
 * Creates a single-use link that opens a portal session for the consumer with this
 * external id. The token travels in the URL's fragment, which browsers never send to a
 * server, so it reaches no access log or Referer; the page trades it for a cookie and
 * removes it from the address bar.
 */
export async function createPortalLink(
  deps: PortalAdminDeps,
  actor: Actor,
  body: CreatePortalSessionBody,
  origin: string,
): Promise<PortalSessionLink> {
  // A portal session reaches the consumer's keys of every portal-enabled API: only a root key
  // that may write keys of every API may open one (one scoped to some APIs may not).
  if (!holdsWorkspaceWide(actor, 'keys:write')) {
    throw new KeywardError(
      'FORBIDDEN',
      'opening a portal session needs "keys:write" for every API of the workspace',
    );
  }
  const returnUrl = body.returnUrl === undefined ? null : checkReturnUrl(body.returnUrl, 'body.returnUrl');
  const consumer = await deps.service.store.consumers.getByExternalId(actor.workspaceId, body.externalId);
  if (consumer === null) {
    throw new KeywardError('NOT_FOUND', 'no consumer of this workspace has this body.externalId', {
      field: 'body.externalId',
    });
  }
  const now = deps.service.now();
  const token = newSessionToken();
  const record: PortalToken = {
    digest: tokenDigest(token),
    workspaceId: actor.workspaceId,
    consumerId: consumer.id,
    returnUrl,
    sessionTtlMs: (body.expiresIn ?? 3600) * 1000,
    createdBy: actor.rootKeyId,
    createdAt: now,
    expiresAt: now + deps.linkTtlMs,
    usedAt: null,
  };
  await deps.stores.portal.createToken(record);
  await recordAudit(deps.service, actor, {
    action: 'portal_link.create',
    targetType: 'consumer',
    targetId: consumer.id,
    before: null,
    after: { externalId: consumer.externalId, returnUrl, linkExpiresAt: record.expiresAt },
  });
  return { url: `${origin}/portal/#token=${token}`, expiresAt: record.expiresAt };
}

export const portalPolicyView = (policy: PortalPolicy): PortalPolicyView => ({
  apiId: policy.apiId,
  enabled: policy.enabled,
  allowCreate: policy.allowCreate,
  allowRoll: policy.allowRoll,
  allowRevoke: policy.allowRevoke,
  permissions: [...policy.permissions],
  ratelimits: policy.ratelimits.map((l) => ({ ...l })),
  credits:
    policy.credits === null ? null : { remaining: policy.credits.remaining, refill: policy.credits.refill },
  maxKeysPerConsumer: policy.maxKeysPerConsumer,
  updatedAt: policy.updatedAt,
});

export async function getPortalPolicy(
  deps: PortalAdminDeps,
  actor: Actor,
  apiId: string,
): Promise<PortalPolicyView> {
  await requireApi(deps.service, actor, apiId);
  return portalPolicyView(await deps.stores.portalSettings.getPolicy(actor.workspaceId, apiId));
}

/** Replaces an API's portal policy; every field checked first, so a refused body changes nothing. */
export async function putPortalPolicy(
  deps: PortalAdminDeps,
  actor: Actor,
  apiId: string,
  body: PortalPolicyBody,
): Promise<PortalPolicyView> {
  await requireApi(deps.service, actor, apiId);
  const permissions = checkPermissions(body.permissions ?? [], 'body.permissions');
  const ratelimits = checkRateLimits(body.ratelimits ?? [], 'body.ratelimits');
  const credits =
    body.credits === undefined || body.credits === null ? null : checkCredits(body.credits, 'body.credits');
  const before = portalPolicyView(await deps.stores.portalSettings.getPolicy(actor.workspaceId, apiId));
  const saved = await deps.stores.portalSettings.putPolicy(
    actor.workspaceId,
    apiId,
    {
      enabled: body.enabled,
      allowCreate: body.allowCreate ?? false,
      allowRoll: body.allowRoll ?? false,
      allowRevoke: body.allowRevoke ?? false,
      permissions,
      ratelimits,
      credits: credits === null ? null : { remaining: credits.remaining, refill: credits.config.refill },
      maxKeysPerConsumer: body.maxKeysPerConsumer ?? 5,
    },
    deps.service.now(),
  );
  const after = portalPolicyView(saved);
  await recordAudit(deps.service, actor, {
    action: 'portal_policy.update',
    targetType: 'api',
    targetId: apiId,
    before: before.updatedAt === 0 ? null : before,
    after,
  });
  return after;
}

const brandingView = (branding: PortalBranding): PortalBrandingView => ({
  name: branding.name,
  logoUrl: branding.logoUrl,
  accentColor: branding.accentColor,
  apiBaseUrl: branding.apiBaseUrl,
  updatedAt: branding.updatedAt,
});

export const getPortalBranding = async (deps: PortalAdminDeps, actor: Actor): Promise<PortalBrandingView> =>
  brandingView(await deps.stores.portalSettings.getBranding(actor.workspaceId));

/** Replaces the portal's branding; a field left out keeps its value, null resets it. */
export async function putPortalBranding(
  deps: PortalAdminDeps,
  actor: Actor,
  body: PortalBrandingBody,
): Promise<PortalBrandingView> {
  const logoUrl =
    body.logoUrl === undefined || body.logoUrl === null
      ? body.logoUrl
      : checkLogoUrl(body.logoUrl, 'body.logoUrl');
  const apiBaseUrl =
    body.apiBaseUrl === undefined || body.apiBaseUrl === null
      ? body.apiBaseUrl
      : checkReturnUrl(body.apiBaseUrl, 'body.apiBaseUrl').replace(/\/$/, '');
  const current = await deps.stores.portalSettings.getBranding(actor.workspaceId);
  const saved = await deps.stores.portalSettings.putBranding(
    actor.workspaceId,
    {
      name: body.name === undefined ? current.name : body.name,
      logoUrl: logoUrl === undefined ? current.logoUrl : logoUrl,
      accentColor: body.accentColor === undefined ? current.accentColor : body.accentColor,
      apiBaseUrl: apiBaseUrl === undefined ? current.apiBaseUrl : apiBaseUrl,
    },
    deps.service.now(),
  );
  const after = brandingView(saved);
  await recordAudit(deps.service, actor, {
    action: 'portal_branding.update',
    targetType: 'workspace',
    targetId: actor.workspaceId,
    before: current.updatedAt === 0 ? null : brandingView(current),
    after,
  });
  return after;
}
