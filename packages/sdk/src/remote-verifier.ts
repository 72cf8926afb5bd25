import { isIP } from 'node:net';
import type { VerifyKeyBody, VerifyKeyResponse } from '@keyward/protocol';
import { fromVerifyResponse, LIMITS } from '@keyward/protocol';
import { createTransport } from './client-transport.js';
import type { Verifier, VerifyParams } from './verification.js';
import { createVerifyCache } from './verify-cache.js';

export interface RemoteVerifierOptions {
  /** keyward server base URL, e.g. `https://keyward.internal:8787`. */
  baseUrl: string;
  /** Root key with `keys:verify`, sent as a Bearer token. */
  rootKey: string;
  /** How long results that no counter decides are replayed locally, in ms; 0 turns the cache off. Default 5_000. */
  cacheTtlMs?: number;
  /** Cached results kept at most (least recently used dropped first). Default 10_000. */
  cacheMaxEntries?: number;
  /** Timeout of one verify call in ms (the request is answered 503 after it). Default 3_000. */
  timeoutMs?: number;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * The request body. Tags are trimmed to what the verify API accepts rather than failing
 * the request; an address that is not an IP is left out, which fails closed (a key with
 * an allow-list then answers FORBIDDEN_IP).
 */
function verifyBody(key: string, params: VerifyParams): VerifyKeyBody {
  const { tags, ratelimits, ip, client, ...rest } = params;
  const body: VerifyKeyBody = { key, ...rest };
  if (client !== undefined) body.client = { ...client };
  if (ip !== undefined && isIP(ip) !== 0) body.ip = ip;
  if (ratelimits !== undefined) body.ratelimits = ratelimits.map((l) => ({ ...l }));
  if (tags !== undefined) {
    body.tags = tags
      .filter((t) => t.length > 0)
      .slice(0, LIMITS.tags)
      .map((t) => t.slice(0, LIMITS.tagLength));
  }
  return body;
}

/**
 * Remote mode: verifies through `POST /v1/keys/verify` of a keyward server, with a short
 * local cache of the results that no counter decides (see verify-cache.ts for what is
 * kept and why). Any failure to get an answer (network, timeout, 5xx, a rejected root
 * key) rejects, and the middleware answers 503: a request is never let through unverified.
 * The key travels only in the JSON body, never in a URL.
 *
 * @example
 * const verifier = remoteVerifier({ baseUrl: 'http://127.0.0.1:8787', rootKey: process.env.KEYWARD_ROOT_KEY });
 */
export function remoteVerifier(options: RemoteVerifierOptions): Verifier {
  const { cacheTtlMs = 5_000, cacheMaxEntries = 10_000, timeoutMs = 3_000, now = Date.now } = options;
  const call = createTransport({
    baseUrl: options.baseUrl,
    rootKey: options.rootKey,
    timeoutMs,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const cache = createVerifyCache({ ttlMs: cacheTtlMs, maxEntries: cacheMaxEntries, now });

  return {
    async verify(key, params) {
      const id = cache.idOf(key, params);
      const cached = cache.get(id);
      if (cached !== undefined) return cached;
      const response = await call<VerifyKeyResponse>('POST', '/v1/keys/verify', {
        body: verifyBody(key, params),
      });
      const verification = fromVerifyResponse(response);
      cache.put(id, verification);
      return verification;
    },
  };
}
