import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeywardError } from '../contracts/errors.js';
import { crc32Ascii, crc32Portable } from './crc32.js';
import {
  BASE62_ALPHABET,
  crc32,
  generateKey,
  isValidKey,
  KEY_PATTERN,
  KEY_PREFIX_PATTERN,
  keyHint,
  keyPattern,
  parseKey,
  type RandomSource,
} from './key-format.js';

/** Serves bytes from a fixed stream, whatever size is asked for. */
function fixedRandom(stream: readonly number[]): RandomSource {
  let next = 0;
  return (size) => {
    const out = Uint8Array.from(stream.slice(next, next + size));
    next += size;
    if (out.length < size) throw new Error('fixed random stream exhausted');
    return out;
  };
}

// 255 and 248 must be rejected (>= 248 would bias `% 62`); 61 → 'z', 62 → '0', 247 → 'z'.
const STREAM = [255, 248, 61, 62, 247, 124, ...Array.from({ length: 200 }, (_, i) => (i * 37) % 256)];

const prefixArb = fc.stringMatching(/^[a-z][a-z0-9_]{1,15}$/);
const keyArb = prefixArb.map((prefix) => generateKey(prefix));

describe('crc32', () => {
  it('matches the published check values', () => {
    expect(crc32('')).toBe(0);
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
    expect(crc32('héllo')).toBe(0x9e3b8236);
    expect(crc32Portable('123456789')).toBe(0xcbf43926);
    expect(crc32Portable('héllo')).toBe(0x9e3b8236);
  });

  it('portable, ASCII and native implementations agree', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (s) => {
        expect(crc32Portable(s)).toBe(crc32(s));
        expect(crc32Ascii(`${s}tail`, s.length)).toBe(crc32(s));
      }),
    );
  });
});

describe('generateKey', () => {
  it('produces the known-answer key for a fixed random stream', () => {
    expect(generateKey('amp_live', { random: fixedRandom(STREAM) })).toBe(
      'amp_live_z0z00bCnOza3eFqR2d6hItU5g9kLwX2nENmK',
    );
    expect(generateKey('ab', { random: fixedRandom(STREAM) })).toBe(
      'ab_z0z00bCnOza3eFqR2d6hItU5g9kLwX13zqrP',
    );
  });

  it('produces keys of the published pattern that parse back', () => {
    fc.assert(
      fc.property(prefixArb, (prefix) => {
        const key = generateKey(prefix);
        expect(key).toHaveLength(prefix.length + 37);
        expect(keyPattern(prefix).test(key)).toBe(true);
        expect(KEY_PATTERN.test(key)).toBe(true);
        expect(parseKey(key)).toEqual({ prefix, secret: key.slice(prefix.length + 1) });
      }),
    );
  });

  it('uses every base62 character', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of generateKey('ab').slice(3, 33)) seen.add(c);
    expect([...seen].sort().join('')).toBe([...BASE62_ALPHABET].sort().join(''));
  });

  it.each(['', 'a', 'A_b', '1ab', 'ab-c', 'abcdefghijklmnopq', 'ab ', 'äb'])(
    'rejects prefix %j',
    (prefix) => {
      expect(() => generateKey(prefix)).toThrow(KeywardError);
      expect(() => keyPattern(prefix)).toThrow(
        expect.objectContaining({ code: 'VALIDATION', field: 'prefix' }),
      );
      expect(KEY_PREFIX_PATTERN.test(prefix)).toBe(false);
    },
  );

  it('accepts the extreme prefixes', () => {
    for (const prefix of ['ab', 'a_', 'a1', 'abcdefghijklmnop', 'a_______________']) {
      expect(KEY_PREFIX_PATTERN.test(prefix)).toBe(true);
      expect(parseKey(generateKey(prefix))?.prefix).toBe(prefix);
    }
  });
});

describe('parseKey', () => {
  it('rejects every single-character substitution within the alphabet', () => {
    fc.assert(
      fc.property(keyArb, fc.nat(), fc.nat(), (key, at, pick) => {
        const i = at % key.length;
        const alphabet = i < key.length - 36 ? 'abcdefghijklmnopqrstuvwxyz0123456789_' : BASE62_ALPHABET;
        const replacement = alphabet[pick % alphabet.length] as string;
        fc.pre(replacement !== key[i]);
        const mutated = key.slice(0, i) + replacement + key.slice(i + 1);
        expect(parseKey(mutated)).toBeNull();
        expect(isValidKey(mutated)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every deletion and insertion of one character', () => {
    fc.assert(
      fc.property(keyArb, fc.nat(), fc.constantFrom(...BASE62_ALPHABET, '_'), (key, at, char) => {
        const i = at % key.length;
        expect(parseKey(key.slice(0, i) + key.slice(i + 1))).toBeNull();
        expect(parseKey(key.slice(0, i) + char + key.slice(i))).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every transposition of adjacent different characters', () => {
    fc.assert(
      fc.property(keyArb, fc.nat(), (key, at) => {
        const i = at % (key.length - 1);
        fc.pre(key[i] !== key[i + 1]);
        const swapped = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
        expect(parseKey(swapped)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects garbage of any shape', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        // A random string passing a 32-bit checksum is a ~2^-32 event.
        expect(parseKey(s)).toBeNull();
      }),
    );
    const key = generateKey('amp_live');
    for (const bad of [
      '',
      key.toUpperCase(),
      ` ${key}`,
      `${key} `,
      `${key.slice(0, -1)}é`,
      'a'.repeat(1_000_000),
    ]) {
      expect(parseKey(bad)).toBeNull();
    }
  });

  it('rejects a checksum that encodes a value above 2^32', () => {
    // 'zzzzzz' decodes to 62^6 - 1, beyond any CRC-32.
    expect(parseKey('amp_live_z0z00bCnOza3eFqR2d6hItU5g9kLwXzzzzzz')).toBeNull();
    expect(parseKey('amp_live_z0z00bCnOza3eFqR2d6hItU5g9kLwX2nENmK')).not.toBeNull();
  });
});

/** `payload` with the checksum a real key would have: what a forger needs to get past the CRC. */
const withChecksum = (payload: string): string => {
  let n = crc32Ascii(payload, payload.length) >>> 0;
  let digits = '';
  for (let i = 0; i < 6; i++) {
    digits = BASE62_ALPHABET[n % 62] + digits;
    n = Math.floor(n / 62);
  }
  return payload + digits;
};

describe('isValidKey beyond the checksum', () => {
  const random30 = 'z0z00bCnOza3eFqR2d6hItU5g9kLwX';

  it('accepts a correct checksum only on a well-formed key', () => {
    expect(isValidKey(withChecksum(`amp_live_${random30}`))).toBe(true);
    for (const [why, payload] of [
      ['an upper-case prefix', `Amp_live_${random30}`],
      ['a prefix with a dash', `amp-live_${random30}`],
      ['no underscore before the body', `amp_live-${random30}`],
      ['a body character outside base62', `amp_live_${random30.slice(0, -1)}-`],
      ['a non-ASCII body character', `amp_live_${random30.slice(0, -1)}é`],
      ['a one-character prefix (too short)', `a_${random30}`],
      ['a 17-character prefix (too long)', `a${'b'.repeat(16)}_${random30}`],
    ] as const) {
      expect(isValidKey(withChecksum(payload)), why).toBe(false);
    }
    expect(isValidKey(42 as unknown as string)).toBe(false);
  });
});

describe('keyHint', () => {
  it('shows the prefix, the first 4 and the last 4 of the body', () => {
    expect(keyHint('amp_live_z0z00bCnOza3eFqR2d6hItU5g9kLwX2nENmK')).toBe('amp_live_z0z0…ENmK');
  });

  it('shows only the last 4 characters of a foreign key', () => {
    expect(keyHint('sk_live_51HxYzAbCdEfGhIjKlMn')).toBe('…KlMn');
    // Shaped like a keyward key, but not with a keyward prefix.
    expect(keyHint(`AB_${'x'.repeat(32)}9fQ2`)).toBe('…9fQ2');
    expect(keyHint(`_${'x'.repeat(32)}9fQ2`)).toBe('…9fQ2');
  });
});
