import type { InvalidationMessage } from '../contracts/cache-bus.js';

/**
 * The wire format of cache invalidations on every network bus (Redis pub/sub, PostgreSQL
 * NOTIFY): one JSON object per message. Decoding validates the shape and rebuilds the
 * object from known fields only, so a malformed or hostile payload never reaches a
 * subscriber (it is dropped, never thrown).
 */

export const encodeInvalidation = (message: InvalidationMessage): string => JSON.stringify(message);

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The message, or null when `raw` is not a well-formed invalidation. */
export function decodeInvalidation(raw: string): InvalidationMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const value = parsed as Record<string, unknown>;
  switch (value.type) {
    case 'key': {
      const { keyId, digests } = value;
      if (!isId(keyId) || !Array.isArray(digests) || !digests.every(isId)) return null;
      return { type: 'key', keyId, digests: [...digests] };
    }
    case 'root_key':
      return isId(value.rootKeyId) ? { type: 'root_key', rootKeyId: value.rootKeyId } : null;
    case 'consumer':
      return isId(value.consumerId) ? { type: 'consumer', consumerId: value.consumerId } : null;
    case 'workspace':
      return isId(value.workspaceId) ? { type: 'workspace', workspaceId: value.workspaceId } : null;
    case 'all':
      return { type: 'all' };
    default:
      return null;
  }
}
