import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { KeywardError } from '@keyward/core';

import { GITHUB_SCANNING_KEYS_URL } from './github-keys-url.js';

export { GITHUB_SCANNING_KEYS_URL };

export interface GithubKeySourceOptions {
  /** The public key list (JSON `{ public_keys: [{ key_identifier, key, is_current }] }`); default GitHub's. */
  url?: string;
  /** HTTP client; default the global `fetch`. */
  fetch?: typeof fetch;
  /** Clock in epoch ms; default `Date.now`. */
  now?: () => number;
  /**
   * An unknown key identifier refreshes the list, at most once per this many ms (so that
   * made-up identifiers cannot make keyward hammer GitHub). Default 60_000.
   */
  minRefreshMs?: number;
  /** Longest wait for the list, ms; default 5_000. */
  timeoutMs?: number;
}

/** GitHub's signing keys, fetched once, cached, refreshed when a message names an unknown one. */
export interface GithubKeySource {
  /** The key with this identifier; null when the list (refreshed if allowed) does not hold it. `UNAVAILABLE` when the list cannot be fetched. */
  get(identifier: string): Promise<KeyObject | null>;
}

/** The P-256 public keys of a key list, by identifier; entries that are not one are skipped. */
export function parseGithubKeys(json: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const list = (json as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(list)) return keys;
  for (const entry of list) {
    const { key_identifier: id, key: pem } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
    if (typeof id !== 'string' || typeof pem !== 'string') continue;
    try {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
        keys.set(id, key);
    } catch {
      // Not a PEM public key: never one to trust.
    }
  }
  return keys;
}

/**
 * @example
 * const keys = createGithubKeySource({ url: process.env.KEYWARD_GITHUB_SCANNING_KEYS_URL });
 * const key = await keys.get(request.headers['github-public-key-identifier']);
 */
export function createGithubKeySource(options: GithubKeySourceOptions = {}): GithubKeySource {
  const {
    url = GITHUB_SCANNING_KEYS_URL,
    fetch: fetchImpl = globalThis.fetch,
    now = Date.now,
    minRefreshMs = 60_000,
    timeoutMs = 5_000,
  } = options;
  let keys = new Map<string, KeyObject>();
  let fetchedAt: number | null = null;
  let loading: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    loading ??= (async () => {
      try {
        const response = await fetchImpl(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) throw new Error(`status ${response.status}`);
        keys = parseGithubKeys(await response.json());
        fetchedAt = now();
      } catch (error) {
        throw new KeywardError('UNAVAILABLE', "GitHub's secret-scanning public keys could not be fetched", {
          cause: error,
        });
      } finally {
        loading = null;
      }
    })();
    return loading;
  };

  return {
    async get(identifier) {
      const known = keys.get(identifier);
      if (known !== undefined) return known;
      if (fetchedAt === null || now() - fetchedAt >= minRefreshMs) await refresh();
      return keys.get(identifier) ?? null;
    },
  };
}

/** True when `signature` (base64 DER ECDSA P-256 SHA-256) signs exactly `body` under `key`. */
export function verifyGithubSignature(key: KeyObject, body: Buffer, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
