import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InvalidationMessage } from '../contracts/cache-bus.js';
import { decodeInvalidation } from '../redis/invalidation-codec.js';
import { MAX_NOTIFY_BYTES, notifyPayloads } from './notify-payloads.js';

const decodeAll = (payloads: string[]) => payloads.map((payload) => decodeInvalidation(payload));

describe('notifyPayloads', () => {
  it('sends a message that fits as one payload', () => {
    const message: InvalidationMessage = { type: 'key', keyId: 'key_1', digests: ['a', 'b'] };
    expect(decodeAll(notifyPayloads(message))).toEqual([message]);
  });

  it('splits many digests into payloads under the limit that carry every digest in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 90, unit: 'grapheme' }), { maxLength: 400 }),
        fc.integer({ min: 200, max: 2000 }),
        (digests, maxBytes) => {
          const payloads = notifyPayloads({ type: 'key', keyId: 'key_x', digests }, maxBytes);
          for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(maxBytes);
          const messages = decodeAll(payloads);
          const carried = messages.flatMap((message) => {
            expect(message).toMatchObject({ type: 'key', keyId: 'key_x' });
            return message?.type === 'key' ? message.digests : [];
          });
          expect(carried).toEqual(digests);
        },
      ),
    );
  });

  it('degrades to { type: all } when a single id cannot fit', () => {
    const huge = 'x'.repeat(MAX_NOTIFY_BYTES);
    expect(decodeAll(notifyPayloads({ type: 'consumer', consumerId: huge }))).toEqual([{ type: 'all' }]);
    expect(decodeAll(notifyPayloads({ type: 'key', keyId: 'key_1', digests: ['a', huge] }))).toEqual([
      { type: 'all' },
    ]);
    expect(decodeAll(notifyPayloads({ type: 'key', keyId: huge, digests: [] }))).toEqual([{ type: 'all' }]);
  });
});
