import { createHash } from 'node:crypto';
import type { VerifyParams, VerifyResult } from './verification.js';

/**
 * The remote verifier's short local cache. It keeps only results that no counter
 * decides, because replaying a counter-dependent result would break the guarantees a
 * key's owner configured: a cached VALID would admit requests past a rate limit (or
 * without charging it) and spend no credits; a cached RATE_LIMITED would keep refusing
 * after the window reset. So it keeps:
 *
 * - state denials (NOT_FOUND, REVOKED, EXPIRED, DISABLED) and the denials decided before
 *   any counter (FORBIDDEN_IP, INSUFFICIENT_PERMISSIONS): they change only when an
 *   admin changes the key;
 * - VALID results of keys with no rate limit and no quota, never past the key's expiry.
 *
 * The price, bounded by `ttlMs`: a revocation or permission change reaches this process
 * up to `ttlMs` late, and cache hits are not recorded as usage by the server. Entries are
 * keyed by the SHA-256 of the key (never the key itself) plus every request field that
 * can change the outcome; the least recently used entry is dropped past `maxEntries`.
 */

export interface VerifyCacheOptions {
  /** Entry lifetime in ms; 0 turns the cache off. */
  ttlMs: number;
  /** Entries kept at most. */
  maxEntries: number;
  now: () => number;
}

export interface VerifyCache {
  /** The entry id of a request: a hash of the key plus the fields that decide the outcome. */
  idOf(key: string, params: VerifyParams): string;
  get(id: string): VerifyResult | undefined;
  /** Stores the result when it may be replayed (see above); otherwise does nothing. */
  put(id: string, verification: VerifyResult): void;
}

const STABLE_DENIALS = new Set([
  'NOT_FOUND',
  'REVOKED',
  'EXPIRED',
  'DISABLED',
  'FORBIDDEN_IP',
  'FORBIDDEN_ORIGIN',
  'INSUFFICIENT_PERMISSIONS',
]);

/** Until when a result may be replayed: null when never. */
function replayableUntil(v: VerifyResult, now: number, ttlMs: number): number | null {
  if (!v.valid) return STABLE_DENIALS.has(v.code) ? now + ttlMs : null;
  // A dry-run rule that would have denied is reported on every verification, so never replayed.
  if (v.ratelimits.length > 0 || v.credits !== null || v.wouldDeny !== undefined) return null;
  const { expiresAt } = v.identity;
  return expiresAt === null ? now + ttlMs : Math.min(now + ttlMs, expiresAt);
}

const entryId = (key: string, p: VerifyParams): string =>
  `${createHash('sha256').update(key).digest('base64')}|${JSON.stringify([
    p.apiId ?? null,
    p.permissions ?? null,
    p.dryRunPermissions ?? null,
    p.ip ?? null,
    p.credits?.cost ?? null,
    p.ratelimits ?? null,
    // A publishable key's outcome depends on the origin; a browser's first call is the one that
    // reports a secret key exposed, so a server's cached answer must not stand in for it.
    p.client?.origin ?? null,
    p.client?.secFetchSite ?? null,
  ])}`;

export function createVerifyCache({ ttlMs, maxEntries, now }: VerifyCacheOptions): VerifyCache {
  const entries = new Map<string, { until: number; verification: VerifyResult }>();
  return {
    idOf: ttlMs <= 0 ? () => '' : entryId,
    get(id) {
      if (ttlMs <= 0) return undefined;
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      entries.delete(id);
      if (entry.until <= now()) return undefined;
      entries.set(id, entry);
      return entry.verification;
    },
    put(id, verification) {
      if (ttlMs <= 0) return;
      const at = now();
      const until = replayableUntil(verification, at, ttlMs);
      if (until === null || until <= at) return;
      entries.delete(id);
      entries.set(id, { until, verification });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
    },
  };
}
