import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterKey } from './counter-key.js';
import { keySlot } from './key-slot.js';

describe('counterKey', () => {
  it('tags the owner so that all limits of one key or consumer share a slot', () => {
    expect(counterKey('kw:rl:', 'key:key_1:rpm')).toBe('kw:rl:{key:key_1}:rpm');
    expect(counterKey('kw:rl:', 'consumer:con_1:burst:x')).toBe('kw:rl:{consumer:con_1}:burst:x');
    expect(counterKey('p:', 'plain')).toBe('p:{plain}');
    expect(keySlot(counterKey('kw:rl:', 'key:key_1:rpm'))).toBe(
      keySlot(counterKey('kw:rl:', 'key:key_1:daily')),
    );
  });

  it('never maps two counters to one key', () => {
    const piece = fc.string({ unit: fc.constantFrom('a', ':', '{', '}'), maxLength: 8 });
    fc.assert(
      fc.property(piece, piece, (a, b) => {
        fc.pre(a !== b);
        expect(counterKey('kw:', a)).not.toBe(counterKey('kw:', b));
      }),
      { numRuns: 20_000 },
    );
  });
});
