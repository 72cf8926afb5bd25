import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRingBuffer } from './ring-buffer.js';

describe('ring buffer', () => {
  it('behaves like an array queue under any mix of operations, across growth and wrap-around', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer() }),
      fc.record({ shift: fc.constant(true) }),
      fc.record({ take: fc.integer({ min: 0, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.array(op, { maxLength: 4000 }), (capacity, ops) => {
        const ring = createRingBuffer<number>(capacity);
        const model: number[] = [];
        for (const o of ops) {
          if ('push' in o) {
            if (model.length === capacity) {
              expect(() => ring.push(o.push)).toThrow(RangeError);
            } else {
              ring.push(o.push);
              model.push(o.push);
            }
          } else if ('shift' in o) {
            expect(ring.shift()).toBe(model.shift());
          } else {
            expect(ring.take(o.take)).toEqual(model.splice(0, o.take));
          }
          expect(ring.length).toBe(model.length);
        }
        expect(ring.take(capacity)).toEqual(model);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a non-positive capacity', () => {
    expect(() => createRingBuffer(0)).toThrow(RangeError);
  });
});
