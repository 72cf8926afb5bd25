import { KeywardError, newId, parseKey, type RootKey, safeEqualHex } from '@keyward/core';
import {
  type DashboardSession,
  newSessionToken,
  SESSION_TOKEN_PATTERN,
  type SessionEndReason,
  tokenDigest,
} from '@keyward/core/sessions';
import type { DashboardSessionView } from '@keyward/protocol';
import { ROOT_KEY_PREFIX } from '../root-keys.js';
import { recordAudit } from '../services/audit.js';
import type { Actor, ServiceDeps } from '../services/context.js';
import type { ResolvedSessionOptions } from './session-options.js';

/** `lastSeenAt` is written at most this often: idle expiry is counted in minutes, not per request. */
const TOUCH_EVERY_MS = 60_000;

export interface DashboardSessionDeps {
  service: ServiceDeps;
  options: ResolvedSessionOptions;
}

/** A live session and the root key behind it. */
export interface ActiveSession {
  session: DashboardSession;
  rootKey: RootKey;
}

const ended = () => new KeywardError('UNAUTHORIZED', 'the session has ended: sign in again');

const actorFor = (rootKey: RootKey, ip: string | null, requestId: string | null): Actor => ({
  workspaceId: rootKey.workspaceId,
  rootKeyId: rootKey.id,
  permissions: rootKey.permissions,
  ip,
  requestId,
});

/** Where a request came from, for audit events. */
export interface RequestOrigin {
  ip: string | null;
  requestId: string | null;
}

/**
 * The root key a sign-in presents, or `UNAUTHORIZED` (one message for every failure:
 * malformed, unknown, revoked). The stored digest is compared in constant time.
 */
export async function rootKeyForSignIn(deps: DashboardSessionDeps, presented: string): Promise<RootKey> {
  const invalid = new KeywardError('UNAUTHORIZED', 'the root key is invalid, revoked or unknown');
  const parsed = parseKey(presented);
  if (parsed === null || parsed.prefix !== ROOT_KEY_PREFIX) throw invalid;
  const digest = deps.service.engine.digest(presented);
  const rootKey = await deps.service.store.rootKeys.findByDigest(digest);
  if (rootKey === null || !safeEqualHex(rootKey.digest, digest) || rootKey.revokedAt !== null) throw invalid;
  return rootKey;
}

/** Opens a session for a root key: the token for the cookie (shown to nobody else) and the session. */
export async function startDashboardSession(
  deps: DashboardSessionDeps,
  rootKey: RootKey,
  origin: RequestOrigin,
): Promise<{ token: string; session: DashboardSession }> {
  const now = deps.service.now();
  const token = newSessionToken();
  const session: DashboardSession = {
    id: newId('ses'),
    digest: tokenDigest(token),
    workspaceId: rootKey.workspaceId,
    rootKeyId: rootKey.id,
    rootKeyDigest: rootKey.digest,
    ip: origin.ip,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.options.maxAgeMs,
    endedAt: null,
    endReason: null,
  };
  await deps.options.stores.dashboard.create(session);
  await recordAudit(deps.service, actorFor(rootKey, origin.ip, origin.requestId), {
    action: 'session.create',
    targetType: 'session',
    targetId: session.id,
    before: null,
    after: { rootKeyId: rootKey.id, expiresAt: session.expiresAt },
  });
  return { token, session };
}

/** Ends a session and writes its audit event, once (a session already ended writes nothing). */
export async function endDashboardSession(
  deps: DashboardSessionDeps,
  active: { session: DashboardSession; rootKey: RootKey | null },
  reason: SessionEndReason,
  origin: RequestOrigin,
): Promise<void> {
  const { session } = active;
  const at = deps.service.now();
  if (!(await deps.options.stores.dashboard.end(session.id, at, reason))) return;
  await recordAudit(
    deps.service,
    {
      workspaceId: session.workspaceId,
      rootKeyId: reason === 'sign-out' ? session.rootKeyId : 'system',
      permissions: active.rootKey?.permissions ?? [],
      ...origin,
    },
    {
      action: reason === 'expired' ? 'session.expire' : 'session.end',
      targetType: 'session',
      targetId: session.id,
      before: null,
      after: { rootKeyId: session.rootKeyId, reason },
    },
  );
}

/**
 * The live session a cookie token names, or `UNAUTHORIZED`. A session past its idle or
 * absolute expiry, or whose root key was revoked, rolled or deleted since sign-in, is
 * ended here (with its audit event) and refused.
 */
export async function resolveDashboardSession(
  deps: DashboardSessionDeps,
  token: string,
  origin: RequestOrigin,
): Promise<ActiveSession> {
  if (!SESSION_TOKEN_PATTERN.test(token)) throw ended();
  const session = await deps.options.stores.dashboard.findByDigest(tokenDigest(token));
  if (session === null || session.endedAt !== null) throw ended();
  const now = deps.service.now();
  if (now >= session.expiresAt || now >= session.lastSeenAt + deps.options.idleTimeoutMs) {
    await endDashboardSession(deps, { session, rootKey: null }, 'expired', origin);
    throw ended();
  }
  const rootKey = await deps.service.store.rootKeys.get(session.workspaceId, session.rootKeyId);
  if (
    rootKey === null ||
    rootKey.revokedAt !== null ||
    !safeEqualHex(rootKey.digest, session.rootKeyDigest)
  ) {
    await endDashboardSession(deps, { session, rootKey }, 'root-key', origin);
    throw ended();
  }
  if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
    await deps.options.stores.dashboard.touch(session.id, now);
    session.lastSeenAt = now;
  }
  return { session, rootKey };
}

/** The public view of a session (no token, no digest). */
export async function dashboardSessionView(
  deps: DashboardSessionDeps,
  { session, rootKey }: ActiveSession,
): Promise<DashboardSessionView> {
  const workspace = await deps.service.store.workspaces.get(session.workspaceId);
  return {
    workspace: { id: session.workspaceId, name: workspace?.name ?? session.workspaceId },
    rootKey: {
      id: rootKey.id,
      hint: rootKey.hint,
      name: rootKey.name,
      permissions: [...rootKey.permissions],
    },
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    idleExpiresAt: Math.min(session.expiresAt, session.lastSeenAt + deps.options.idleTimeoutMs),
    csrfHeader: 'X-Keyward-Csrf',
  };
}
