import { type Consumer, KeywardError, newId } from '@keyward/core';
import {
  newSessionToken,
  type PortalSession,
  SESSION_TOKEN_PATTERN,
  type SessionStores,
  tokenDigest,
} from '@keyward/core/sessions';
import type { FastifyRequest } from 'fastify';
import { recordAudit } from '../services/audit.js';
import type { Actor, ServiceDeps } from '../services/context.js';
import { PORTAL_COOKIE } from '../sessions/cookies.js';
import { checkCsrf } from '../sessions/csrf.js';

/** Who a portal request acts for: one consumer of one workspace, nothing else. */
export interface PortalCaller {
  session: PortalSession;
  consumer: Consumer;
  /** The caller as services and the audit log see it: actor `portal:<consumer id>`, no root-key permission. */
  actor: Actor;
}

export interface PortalAuthDeps {
  service: ServiceDeps;
  stores: SessionStores;
  publicOrigin: string | null;
}

const ended = () => new KeywardError('UNAUTHORIZED', 'the portal session has ended: open a new portal link');

const actorFor = (session: PortalSession, request: FastifyRequest): Actor => ({
  workspaceId: session.workspaceId,
  rootKeyId: `portal:${session.consumerId}`,
  permissions: [],
  ip: request.ip,
  requestId: request.id,
});

/**
 * The portal caller of a request, or `UNAUTHORIZED`: the CSRF check, then the portal
 * cookie's live, unexpired session, whose consumer must still exist. Every portal route
 * but the link exchange starts here; everything after reads only this consumer's data.
 */
export async function requirePortalCaller(
  deps: PortalAuthDeps,
  request: FastifyRequest,
): Promise<PortalCaller> {
  checkCsrf(request, deps.publicOrigin);
  const token = request.cookies[PORTAL_COOKIE];
  if (token === undefined || !SESSION_TOKEN_PATTERN.test(token)) throw ended();
  const session = await deps.stores.portal.findSession(tokenDigest(token));
  if (session === null || session.endedAt !== null || deps.service.now() >= session.expiresAt) throw ended();
  const consumer = await deps.service.store.consumers.get(session.workspaceId, session.consumerId);
  if (consumer === null) throw ended();
  return { session, consumer, actor: actorFor(session, request) };
}

/**
 * Trades a portal link's token for a portal session (the token works once, before its
 * expiry); returns the cookie's token and the session. `UNAUTHORIZED` for any bad token.
 */
export async function exchangePortalToken(
  deps: PortalAuthDeps,
  request: FastifyRequest,
  token: string,
): Promise<{ token: string; caller: PortalCaller }> {
  checkCsrf(request, deps.publicOrigin);
  const refused = new KeywardError('UNAUTHORIZED', 'this portal link is invalid, used or expired', {
    field: 'body.token',
  });
  if (!SESSION_TOKEN_PATTERN.test(token)) throw refused;
  const now = deps.service.now();
  const link = await deps.stores.portal.redeemToken(tokenDigest(token), now);
  if (link === null) throw refused;
  const consumer = await deps.service.store.consumers.get(link.workspaceId, link.consumerId);
  if (consumer === null) throw refused;
  const cookieToken = newSessionToken();
  const session: PortalSession = {
    id: newId('pses'),
    digest: tokenDigest(cookieToken),
    workspaceId: link.workspaceId,
    consumerId: link.consumerId,
    returnUrl: link.returnUrl,
    createdAt: now,
    expiresAt: now + link.sessionTtlMs,
    endedAt: null,
  };
  await deps.stores.portal.createSession(session);
  const actor = actorFor(session, request);
  await recordAudit(deps.service, actor, {
    action: 'portal_session.create',
    targetType: 'consumer',
    targetId: consumer.id,
    before: null,
    after: { sessionId: session.id, expiresAt: session.expiresAt },
  });
  return { token: cookieToken, caller: { session, consumer, actor } };
}
