import type {
  ConsumerInfo,
  DenialCode,
  RateLimitInfo,
  Verification,
  Verifier,
  VerifyParams,
} from './verification.js';

/**
 * What local mode needs of `@keyward/core`'s `Engine`, written out structurally so the
 * SDK imports nothing from core (remote-mode users need not install it); a core `Engine`
 * fits as is (local-verifier.test.ts holds it to that).
 */
export interface LocalEngine {
  verifyKey(key: string, options?: VerifyParams): Promise<EngineResult>;
}

interface EngineLimitState {
  name: string;
  limit: number;
  remaining: number;
  reset: number;
  resetAfterMs?: number;
  /** Window length in ms, once the engine reports it (then `RateLimit-Policy` carries `w=`). */
  duration?: number;
}

/** The subset of core's `VerifyResult` the middleware reads. */
export type EngineResult =
  | {
      valid: true;
      code: 'VALID';
      keyId: string;
      apiId: string;
      name: string | null;
      consumer: ConsumerInfo | null;
      permissions: string[];
      roles: string[];
      meta: Record<string, unknown> | null;
      expiresAt: number | null;
      ratelimits: EngineLimitState[];
      credits: { remaining: number } | null;
    }
  | {
      valid: false;
      code: DenialCode;
      ratelimits: EngineLimitState[];
      credits: { remaining: number } | null;
      retryAfterMs: number | null;
    };

const limitInfo = ({
  name,
  limit,
  remaining,
  reset,
  resetAfterMs,
  duration,
}: EngineLimitState): RateLimitInfo => {
  const info: RateLimitInfo = { name, limit, remaining, reset };
  if (resetAfterMs !== undefined) info.resetAfterMs = resetAfterMs;
  if (duration !== undefined) info.duration = duration;
  return info;
};

/** The engine's result as the middleware's `Verification`: the identity only for a valid key (a denial reveals nothing). */
export function fromEngineResult(result: EngineResult): Verification {
  if (!result.valid) {
    const { code, ratelimits, credits, retryAfterMs } = result;
    return { valid: false, code, ratelimits: ratelimits.map(limitInfo), credits, retryAfterMs };
  }
  return {
    valid: true,
    code: 'VALID',
    identity: {
      keyId: result.keyId,
      apiId: result.apiId,
      name: result.name,
      consumer: result.consumer,
      permissions: result.permissions,
      roles: result.roles,
      meta: result.meta,
      expiresAt: result.expiresAt,
      ratelimits: result.ratelimits.map(limitInfo),
      credits: result.credits,
    },
  };
}

/**
 * Local mode: verifies in-process with an engine on the same store as the keyward server
 * (no network hop, and the same code path as the verify API, so a key behaves exactly
 * alike). The engine's cache, invalidated over its `CacheBus`, keeps lookups off the
 * store; rate limits are exact within the process (shared across processes with Redis
 * counters). A malformed permission query makes the engine throw: the route answers 503
 * and `onError` receives the message naming the position.
 *
 * @example
 * const engine = createEngine({ store: createSqliteStore({ database }) });
 * app.get('/stations', keyward({ verifier: localVerifier(engine), permissions: 'stations:read' }), handler);
 */
export function localVerifier(engine: LocalEngine): Verifier {
  return {
    async verify(key, params) {
      return fromEngineResult(await engine.verifyKey(key, params));
    },
  };
}
