import type {
  ClientHints,
  DenialCode,
  RateLimitState,
  VerifyCode,
  VerifyResult,
  VerifyWarning,
  WouldDeny,
} from '@keyward/protocol';
import type { InvalidationMessage } from '../contracts/cache-bus.js';
import type { Engine, EngineOptions, EngineStats, VerifyOptions } from '../contracts/engine.js';
import { isKeywardError, KeywardError } from '../contracts/errors.js';
import type { KeyRecord } from '../contracts/model.js';
import type { KeyLookup } from '../contracts/store.js';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { looksLikeBrowser } from '../decisions/client-origin.js';
import { ROTATION_REQUIRED, rotationOf } from '../decisions/lifetime.js';
import {
  evaluatePermissionQuery,
  type PermissionQuery,
  parsePermissionQuery,
} from '../decisions/permissions.js';
import { createDigester } from '../keys/digest.js';
import { createImportedFlag, isPlausibleForeignKey } from '../keys/imported-keys.js';
import { isValidKey } from '../keys/key-format.js';
import { createMemoryCacheBus } from '../memory/memory-cache-bus.js';
import { createMemoryCounterStore } from '../memory/memory-counter-store.js';
import { createDependencyGuard } from '../resilience/dependency-guard.js';
import { applyDryRunLimits, spendDryRunCredits } from './dry-run.js';
import { applyRateLimits, creditCost, requestedLimits, selectLimits, spendCredits } from './engine-limits.js';
import { createKeyCache } from './key-cache.js';
import { type ResolvedKey, resolveKey } from './resolved-key.js';
import { deniedResult, validResult } from './verify-outcome.js';

const NO_OPTIONS: VerifyOptions = Object.freeze({});
const NO_TAGS: readonly string[] = Object.freeze([]);
/** Distinct permission queries kept parsed (callers use a handful, one per route). */
const QUERY_CACHE_SIZE = 1000;

/** Adds a dry-run report to the list of a verification (created on the first one). */
function flagged(list: WouldDeny[] | null, entry: WouldDeny): WouldDeny[] {
  if (list === null) return [entry];
  list.push(entry);
  return list;
}

/** Among keys sharing a digest (oldest first), the first in the request's workspace and API, else null. */
function pickInScope(
  first: ResolvedKey,
  others: readonly ResolvedKey[],
  request: VerifyOptions,
): ResolvedKey | null {
  for (const candidate of [first, ...others]) {
    if (request.workspaceId !== undefined && candidate.workspaceId !== request.workspaceId) continue;
    if (request.apiId !== undefined && candidate.key.apiId !== request.apiId) continue;
    return candidate;
  }
  return null;
}

/** The warning of a key due for rotation (no secret, no hint: the holder knows which key they sent). */
const rotationWarning = (dueAt: number, rotateBy: number): VerifyWarning => ({
  code: 'ROTATION_DUE',
  message: `this key is due for rotation: roll it before ${new Date(rotateBy).toISOString()}, when it stops working`,
  dueAt,
  rotateBy,
});

/** Why a found key is refused before any check of the request, or null. The clock never un-revokes a key. */
function stateDenial(key: KeyRecord, graceUntil: number | null, now: number): DenialCode | null {
  if (key.revokedAt !== null) return 'REVOKED';
  if (graceUntil !== null && graceUntil <= now) return 'REVOKED';
  if (!key.enabled) return 'DISABLED';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'EXPIRED';
  return null;
}

/** Longest `User-Agent` a usage event keeps. */
const USER_AGENT_MAX = 256;

/**
 * Rotation telemetry: which secret of a rolled key was presented. A rolled-away digest is
 * always marked (its use, even refused, is what a rotation needs to see); the current one
 * only while the latest roll's old digest is in its grace period.
 */
function markCredential(event: UsageEvent, view: ResolvedKey, request: VerifyOptions, now: number): void {
  if (view.roll === null) return;
  const previous = view.graceUntil !== null;
  if (!previous && view.roll.graceUntil <= now) return;
  event.credential = previous ? 'previous' : 'current';
  event.rolledAt = view.roll.rolledAt;
  const userAgent = request.client?.userAgent;
  if (typeof userAgent === 'string' && userAgent !== '') event.userAgent = userAgent.slice(0, USER_AGENT_MAX);
}

/**
 * Why a child key is refused for its parent (or grandparent, ...), or null: a parent that is
 * gone or rolled since the mint makes the child REVOKED; a revoked, disabled or expired one
 * gives its own code. Null for keys that are no child.
 */
function lineageDenial(view: ResolvedKey, now: number): DenialCode | null {
  if (view.parent === undefined) return null;
  if (view.parent === null) return 'REVOKED';
  return stateDenial(view.parent.key, null, now) ?? lineageDenial(view.parent, now);
}

/** True when the query holds for a child key's parent, grandparent, ... (always for other keys). */
function lineageGrants(query: PermissionQuery, view: ResolvedKey): boolean {
  for (let parent = view.parent; parent !== undefined && parent !== null; parent = parent.parent) {
    if (!evaluatePermissionQuery(query, parent.grants)) return false;
  }
  return true;
}

/**
 * The verification engine: the one code path the server, the gateway and the in-process
 * middleware share. The pipeline (see DESIGN.md): format + checksum → digest → cache →
 * store (single-flight) → API → state → browser origin (publishable keys; a secret key seen in
 * a browser is reported to `onClientExposure`) → IP → permissions → rate limits → credits → usage.
 * A string that fails the format or checksum reaches neither cache nor store, unless
 * imported (foreign-format) keys exist and it could be one.
 *
 * @example
 * const engine = createEngine({ store });
 * const result = await engine.verifyKey(bearer, { apiId, permissions: 'sessions:read' });
 * if (!result.valid) return deny(result.code);
 */
export function createEngine(options: EngineOptions): Engine {
  const {
    store,
    usage,
    pepper,
    cacheTtlMs = 30_000,
    cacheMaxEntries = 100_000,
    staleWhileErrorMs = 0,
    storeTimeoutMs = 1000,
    storeBreaker = {},
    onStoreStateChange = () => {},
    onBusError = () => {},
    onClientExposure,
    now: clock = Date.now,
  } = options;
  const ledger = options.credits ?? store.credits;
  const ownsBus = options.bus === undefined;
  const bus = options.bus ?? createMemoryCacheBus();
  const ownsCounters = options.counters === undefined;
  const counters = options.counters ?? createMemoryCounterStore();
  const { digest } = createDigester(pepper === undefined ? {} : { pepper });
  const cache = createKeyCache<ResolvedKey>({
    ttlMs: cacheTtlMs,
    maxEntries: cacheMaxEntries,
    staleMs: staleWhileErrorMs,
  });
  // Store calls on the verification path: a slow or dead store costs at most the deadline.
  const storeGuard = createDependencyGuard({
    name: 'key store',
    timeoutMs: storeTimeoutMs,
    breaker: storeBreaker,
    clock,
    onStateChange: onStoreStateChange,
  });
  const creditGuard = createDependencyGuard({
    name: 'credit ledger',
    timeoutMs: storeTimeoutMs,
    breaker: storeBreaker,
    clock,
  });
  const guardCredits = <T>(call: () => Promise<T>): Promise<T> => creditGuard.run(call);
  const imported = createImportedFlag(() => storeGuard.run(() => store.keys.hasImported()));
  const inflight = new Map<string, Promise<ResolvedKey | null>>();
  const queries = new Map<string, PermissionQuery>();
  let closed = false;

  const onMessage = (message: InvalidationMessage): void => {
    // Admin credentials share the bus but not this cache.
    if (message.type === 'root_key') return;
    cache.invalidate(message);
    // Waiting callers keep their (older) answer; new callers start a fresh lookup.
    inflight.clear();
    imported.onInvalidation(message);
  };
  const unsubscribe = bus.subscribe(onMessage);
  // Ask at start, so that no verification of a malformed string waits for it. A failure
  // here is retried (and surfaces) on first use.
  imported.load().catch(() => {});

  const permissionQuery = (text: string): PermissionQuery => {
    let query = queries.get(text);
    if (query === undefined) {
      query = parsePermissionQuery(text);
      if (queries.size >= QUERY_CACHE_SIZE) queries.clear();
      queries.set(text, query);
    }
    return query;
  };

  /** `permissionQuery` for `dryRunPermissions`: a malformed one names that field. */
  const dryRunPermissionQuery = (text: string): PermissionQuery => {
    try {
      return permissionQuery(text);
    } catch (error) {
      if (!isKeywardError(error)) throw error;
      throw new KeywardError('VALIDATION', error.message.replace(/^permissions/, 'dryRunPermissions'), {
        field: 'dryRunPermissions',
        cause: error,
      });
    }
  };

  /**
   * The cache entry of a digest: its oldest key, with the keys of other workspaces that hold
   * the same digest (digests are unique per workspace only) as `others`.
   */
  const resolveAll = async (found: KeyLookup[]): Promise<ResolvedKey | null> => {
    if (found.length === 0) return null;
    const now = clock();
    const [first, ...others] = await Promise.all(found.map((lookup) => resolveKey(store, lookup, now)));
    if (first === undefined) return null;
    return others.length === 0 ? first : { ...first, others };
  };

  /** Concurrent misses for one digest share one store lookup. */
  const lookup = (keyDigest: string): Promise<ResolvedKey | null> => {
    const pending = inflight.get(keyDigest);
    if (pending !== undefined) return pending;
    const generation = cache.generation;
    const loaded = storeGuard
      .run(() => store.keys.findByDigest(keyDigest).then(resolveAll))
      .then((view) => {
        cache.set(keyDigest, view, clock(), generation);
        return view;
      });
    const tracked = loaded.finally(() => {
      if (inflight.get(keyDigest) === tracked) inflight.delete(keyDigest);
    });
    inflight.set(keyDigest, tracked);
    return tracked;
  };

  /**
   * A cache miss: the store's answer, or, only when the store fails, the entry that expired
   * less than `staleWhileErrorMs` ago. Without one the failure (UNAVAILABLE) propagates:
   * an uncached key is never accepted.
   */
  const lookupOrStale = async (keyDigest: string): Promise<ResolvedKey | null> => {
    try {
      return await lookup(keyDigest);
    } catch (error) {
      if (!isKeywardError(error) || error.code !== 'UNAVAILABLE') throw error;
      const stale = cache.getStale(keyDigest, clock());
      if (stale === undefined) throw error;
      return stale;
    }
  };

  const record = (
    code: VerifyCode,
    view: ResolvedKey | null,
    cost: number,
    request: VerifyOptions,
    now: number,
    wouldDeny: readonly WouldDeny[] | null = null,
  ) => {
    if (usage === undefined) return;
    const event: UsageEvent = {
      time: now,
      // An unknown key belongs to no workspace; a caller scoped to one (the verify API) still
      // attributes the attempt to it, so that brute force against a tenant shows in its usage.
      workspaceId: view === null ? (request.workspaceId ?? null) : view.workspaceId,
      apiId: view === null ? null : view.key.apiId,
      keyId: view === null ? null : view.keyId,
      consumerId: view === null ? null : view.consumerId,
      code,
      cost,
      ip: request.ip ?? null,
      tags: [...(request.tags ?? NO_TAGS)],
    };
    // Rare fields are set only when present: no spread, no object built per event.
    if (view !== null && view.key.parent !== undefined) event.parentKeyId = view.key.parent.keyId;
    if (wouldDeny !== null) event.wouldDeny = wouldDeny.map((entry) => entry.code);
    if (view !== null) markCredential(event, view, request, now);
    try {
      usage.record(event);
    } catch {
      // A usage sink must never fail a verification; sinks report their own errors.
    }
  };

  const deny = (
    code: DenialCode,
    view: ResolvedKey | null,
    request: VerifyOptions,
    now: number,
    ratelimits?: RateLimitState[],
    credits?: { remaining: number } | null,
    retryAfterMs?: number | null,
  ): VerifyResult => {
    record(code, view, 0, request, now);
    return deniedResult(code, view === null ? null : view.identity, ratelimits, credits, retryAfterMs);
  };

  const exposed = (view: ResolvedKey, client: ClientHints, now: number): void => {
    try {
      onClientExposure?.({
        time: now,
        workspaceId: view.workspaceId,
        apiId: view.key.apiId,
        keyId: view.keyId,
        hint: view.key.hint,
        client,
      });
    } catch {
      // Like a usage sink: a listener must never fail a verification.
    }
  };

  /** Cache hits and misses since start (for metrics); plain counters, no allocation per call. */
  const stats: EngineStats = { cacheHits: 0, cacheMisses: 0 };

  async function verifyKey(key: string, request: VerifyOptions = NO_OPTIONS): Promise<VerifyResult> {
    if (closed) throw new KeywardError('UNAVAILABLE', 'the verification engine is closed');
    // Request errors throw before any lookup: a malformed request is never a denial.
    const query = request.permissions === undefined ? null : permissionQuery(request.permissions);
    const dryRunQuery =
      request.dryRunPermissions === undefined ? null : dryRunPermissionQuery(request.dryRunPermissions);
    const wanted = request.ratelimits === undefined ? null : requestedLimits(request.ratelimits);
    const cost = request.credits === undefined ? 1 : creditCost(request.credits);
    const now = clock();

    if (
      !isValidKey(key) &&
      (request.keywardFormatOnly === true ||
        !(isPlausibleForeignKey(key) && (imported.known() ?? (await imported.load()))))
    ) {
      return deny('NOT_FOUND', null, request, now);
    }
    const keyDigest = digest(key);
    let view = cache.get(keyDigest, now);
    if (view === undefined) {
      stats.cacheMisses++;
      view = await lookupOrStale(keyDigest);
    } else stats.cacheHits++;
    // Several workspaces hold this digest: the key of the caller's scope, else the oldest.
    if (view?.others !== undefined) view = pickInScope(view, view.others, request);
    // Another API's (or workspace's) key answers exactly like an unknown one.
    if (
      view === null ||
      (request.apiId !== undefined && view.key.apiId !== request.apiId) ||
      (request.workspaceId !== undefined && view.workspaceId !== request.workspaceId)
    ) {
      return deny('NOT_FOUND', null, request, now);
    }
    const denial = stateDenial(view.key, view.graceUntil, now) ?? lineageDenial(view, now);
    if (denial !== null) return deny(denial, view, request, now);
    // The API's lifetime policy: a secret past its rotation deadline is refused (dry-run: noted).
    let warnings: VerifyWarning[] | undefined;
    // Dry-run rules never deny: each that would have is listed (null: none would).
    let wouldDeny: WouldDeny[] | null = null;
    if (view.lifetime !== null) {
      const rotation = rotationOf(view.key, view.lifetime, now);
      if (rotation.status !== 'fresh' && view.lifetime.mode === 'dry-run') {
        if (rotation.status === 'required') wouldDeny = [{ code: 'DISABLED', rule: ROTATION_REQUIRED }];
      } else if (rotation.status === 'required') {
        return deny('DISABLED', view, request, now);
      } else if (rotation.status === 'due') {
        warnings = [rotationWarning(rotation.dueAt, rotation.rotateBy)];
      }
    }
    const { client } = request;
    if (view.allowOrigin === null) {
      // A secret key in a browser: reported (off this path), the verification goes on unchanged.
      if (onClientExposure !== undefined && client !== undefined && looksLikeBrowser(client)) {
        exposed(view, client, now);
      }
    } else {
      // A publishable key: from an allowed browser origin only, for a named public permission only.
      const origin = client?.origin;
      if (origin === undefined || !view.allowOrigin(origin))
        return deny('FORBIDDEN_ORIGIN', view, request, now);
      if (query === null) return deny('INSUFFICIENT_PERMISSIONS', view, request, now);
      // It never spends credits (its consumer's neither): a call that would is not public.
      if (view.creditCharges.length > 0 && cost > 0)
        return deny('INSUFFICIENT_PERMISSIONS', view, request, now);
    }
    if (view.allowIp !== null && (request.ip === undefined || !view.allowIp(request.ip))) {
      if (!view.allowIpDryRun) return deny('FORBIDDEN_IP', view, request, now);
      wouldDeny = flagged(wouldDeny, { code: 'FORBIDDEN_IP' });
    }
    if (query !== null && (!evaluatePermissionQuery(query, view.grants) || !lineageGrants(query, view))) {
      return deny('INSUFFICIENT_PERMISSIONS', view, request, now);
    }
    if (dryRunQuery !== null && !evaluatePermissionQuery(dryRunQuery, view.grants)) {
      wouldDeny = flagged(wouldDeny, {
        code: 'INSUFFICIENT_PERMISSIONS',
        rule: request.dryRunPermissions as string,
      });
    }

    // Counters and credits held in memory answer synchronously: no await, no microtask.
    let ratelimits: RateLimitState[] = [];
    if (view.limits.length > 0) {
      const { limits, checks } = selectLimits(view, wanted);
      if (checks.length > 0) {
        const applied = applyRateLimits(counters, limits, checks, now);
        const outcome = applied instanceof Promise ? await applied : applied;
        ratelimits = outcome.states;
        if (!outcome.admitted) {
          return deny('RATE_LIMITED', view, request, now, ratelimits, null, outcome.retryAfterMs);
        }
      }
    }
    // Charged only once the enforced limits admitted, like them; their states are not reported.
    if (view.dryRun.limits.length > 0) {
      const dryRun = applyDryRunLimits(counters, selectLimits(view.dryRun, wanted), now);
      const denied = dryRun instanceof Promise ? await dryRun : dryRun;
      if (denied !== null) {
        for (const name of denied) wouldDeny = flagged(wouldDeny, { code: 'RATE_LIMITED', rule: name });
      }
    }

    let credits: { remaining: number } | null = null;
    let spent = 0;
    if (view.creditCharges.length > 0) {
      const spending = spendCredits(ledger, view.creditCharges, cost, now, guardCredits);
      const outcome = spending instanceof Promise ? await spending : spending;
      credits = outcome.remaining === null ? null : { remaining: outcome.remaining };
      if (!outcome.ok) {
        return deny('USAGE_EXCEEDED', view, request, now, ratelimits, credits, outcome.retryAfterMs);
      }
      spent = cost;
    }
    if (view.dryRunCharges.length > 0) {
      const dryRun = await spendDryRunCredits(ledger, view.dryRunCharges, cost, now, guardCredits);
      if (dryRun.spent) spent = cost;
      for (const owner of dryRun.short)
        wouldDeny = flagged(wouldDeny, { code: 'USAGE_EXCEEDED', rule: owner });
    }

    record('VALID', view, spent, request, now, wouldDeny);
    return validResult(view.identity, ratelimits, credits, wouldDeny, warnings);
  }

  return {
    verifyKey,
    digest,
    stats: () => ({ ...stats }),
    async invalidate(message) {
      // This node drops its entries at once; other nodes when the bus delivers.
      onMessage(message);
      try {
        await bus.publish(message);
      } catch (error) {
        if (isKeywardError(error) && error.code === 'VALIDATION') throw error;
        onBusError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      if (ownsBus) await bus.close();
      if (ownsCounters) await counters.close();
    },
  };
}
