import { KeywardError } from '@keyward/core';
import type { SessionStores } from '@keyward/core/sessions';
import type { UsageEventStore } from '@keyward/core/usage';

const MINUTE = 60_000;

/** The dashboard, the customer portal and their sessions (`buildApp`'s `sessions` option). */
export interface SessionOptions {
  /** Where sessions, portal links and portal settings live (`createSessionStores`, required). */
  stores: SessionStores;
  /** Usage analytics, for the portal's usage charts and last-used times; default none (the portal shows no usage). */
  usage?: UsageEventStore | null;
  /** A dashboard session ends after this long without a request; default 30 minutes. */
  idleTimeoutMs?: number;
  /** A dashboard session ends this long after sign-in whatever happens; default 12 hours. */
  maxAgeMs?: number;
  /** How long a portal link works before it is opened; default 5 minutes. */
  portalLinkTtlMs?: number;
  /**
   * keyward's public origin (`https://keys.example.com`), for portal links and the CSRF
   * Origin check; default null: the origin each request arrived at (its Host, and its
   * scheme as `trustProxy` allows).
   */
  publicUrl?: string | null;
  /** The built dashboard (`apps/dashboard/dist`); default: found through the `@keyward/dashboard` package. */
  staticDir?: string | null;
}

export interface ResolvedSessionOptions {
  readonly stores: SessionStores;
  readonly usage: UsageEventStore | null;
  readonly idleTimeoutMs: number;
  readonly maxAgeMs: number;
  readonly portalLinkTtlMs: number;
  /** The origin of `publicUrl` (scheme, host, port), or null. */
  readonly publicOrigin: string | null;
  readonly staticDir: string | null;
}

const positive = (value: number, field: string): number => {
  if (!Number.isSafeInteger(value) || value < 1000) {
    throw new KeywardError('VALIDATION', `SessionOptions.${field} must be an integer of at least 1000 (ms)`, {
      field,
    });
  }
  return value;
};

/** Applies defaults and checks the options once; never mutates the caller's object. */
export function resolveSessionOptions(options: SessionOptions): ResolvedSessionOptions {
  const {
    stores,
    usage = null,
    idleTimeoutMs = 30 * MINUTE,
    maxAgeMs = 12 * 60 * MINUTE,
    portalLinkTtlMs = 5 * MINUTE,
    publicUrl = null,
    staticDir = null,
  } = options;
  let publicOrigin: string | null = null;
  if (publicUrl !== null) {
    const url = URL.canParse(publicUrl) ? new URL(publicUrl) : null;
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new KeywardError('VALIDATION', 'SessionOptions.publicUrl must be an http(s) URL', {
        field: 'publicUrl',
      });
    }
    publicOrigin = url.origin;
  }
  return Object.freeze({
    stores,
    usage,
    idleTimeoutMs: positive(idleTimeoutMs, 'idleTimeoutMs'),
    maxAgeMs: positive(maxAgeMs, 'maxAgeMs'),
    portalLinkTtlMs: positive(portalLinkTtlMs, 'portalLinkTtlMs'),
    publicOrigin,
    staticDir,
  });
}
