import type { InvalidationMessage } from '../contracts/cache-bus.js';
import { encodeInvalidation } from '../redis/invalidation-codec.js';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (default build). */
export const MAX_NOTIFY_BYTES = 7999;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The NOTIFY payloads that carry `message`: one when it fits; a `key` message with many
 * digests is split into several `key` messages for the same key id that together carry
 * every digest, in order. Anything that still cannot fit (an absurdly long id) degrades to
 * `{ type: 'all' }`: heavier for the receivers, but an invalidation is never lost.
 */
export function notifyPayloads(message: InvalidationMessage, maxBytes = MAX_NOTIFY_BYTES): string[] {
  const whole = encodeInvalidation(message);
  if (bytes(whole) <= maxBytes) return [whole];
  if (message.type !== 'key') return [encodeInvalidation({ type: 'all' })];

  // Size of `{"type":"key","keyId":...,"digests":[]}`; each digest adds its JSON plus a comma.
  const base = bytes(encodeInvalidation({ ...message, digests: [] }));
  if (base > maxBytes) return [encodeInvalidation({ type: 'all' })];
  const payloads: string[] = [];
  let chunk: string[] = [];
  let size = base;
  for (const digest of message.digests) {
    const item = bytes(JSON.stringify(digest));
    if (base + item > maxBytes) return [encodeInvalidation({ type: 'all' })];
    if (chunk.length > 0 && size + 1 + item > maxBytes) {
      payloads.push(encodeInvalidation({ type: 'key', keyId: message.keyId, digests: chunk }));
      chunk = [];
      size = base;
    }
    size += chunk.length > 0 ? item + 1 : item;
    chunk.push(digest);
  }
  if (chunk.length > 0 || payloads.length === 0) {
    payloads.push(encodeInvalidation({ type: 'key', keyId: message.keyId, digests: chunk }));
  }
  return payloads;
}
