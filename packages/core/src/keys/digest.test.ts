import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDigester, safeEqualHex } from './digest.js';

const KEY = 'amp_live_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab';
// Computed independently with Python's hashlib/hmac.
const SHA256_KEY = 'caf6f896716f61333e78147d51451ff1904cf9b3a8af844bea1022c9eafcd274';
const PEPPERED_KEY = '5cf86c1dfabd34d0c1424dcf6e3b17f689153c8d5703f8f657fd0e9edb262986';
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const PEPPERED_ABC = 'b3772598739ec6195e906ff79a3c7d04b104636726d03fd4aec00978bb7cc5b4';

describe('createDigester', () => {
  it('without a pepper digests with plain SHA-256', () => {
    const digester = createDigester();
    expect(digester.digest(KEY)).toBe(SHA256_KEY);
    expect(digester.digest('abc')).toBe(SHA256_ABC);
    expect(digester.fromSha256Hex(SHA256_ABC.toUpperCase())).toBe(SHA256_ABC);
  });

  it('with a pepper digests with HMAC-SHA-256 over the raw SHA-256', () => {
    const digester = createDigester({ pepper: 'pepper-1' });
    expect(digester.digest(KEY)).toBe(PEPPERED_KEY);
    expect(digester.digest('abc')).toBe(PEPPERED_ABC);
    expect(digester.fromSha256Hex(SHA256_KEY)).toBe(PEPPERED_KEY);
    expect(digester.fromSha256Hex(SHA256_ABC.toUpperCase())).toBe(PEPPERED_ABC);
  });

  it('converts any imported SHA-256 to the digest of the key', () => {
    const plain = createDigester();
    const peppered = createDigester({ pepper: 'another pepper' });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (key) => {
        const sha = createHash('sha256').update(key).digest('hex');
        expect(plain.fromSha256Hex(sha)).toBe(plain.digest(key));
        expect(peppered.fromSha256Hex(sha)).toBe(peppered.digest(key));
        expect(peppered.digest(key)).not.toBe(plain.digest(key));
      }),
    );
  });

  it('different peppers give different digests', () => {
    expect(createDigester({ pepper: 'a' }).digest(KEY)).not.toBe(createDigester({ pepper: 'b' }).digest(KEY));
  });

  it.each([
    '',
    'abc',
    SHA256_ABC.slice(1),
    `${SHA256_ABC}0`,
    `${SHA256_ABC.slice(1)}g`,
    ` ${SHA256_ABC.slice(1)}`,
  ])('rejects %j as a SHA-256 digest', (hex) => {
    for (const digester of [createDigester(), createDigester({ pepper: 'p' })]) {
      expect(() => digester.fromSha256Hex(hex)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    }
  });

  it('rejects an empty pepper and never echoes the pepper', () => {
    expect(() => createDigester({ pepper: '' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    try {
      createDigester({ pepper: 'secret-pepper' }).fromSha256Hex('nothex');
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret-pepper');
      expect(String((error as Error).message)).not.toContain('nothex');
    }
  });
});

describe('safeEqualHex', () => {
  it('compares by value', () => {
    expect(safeEqualHex(SHA256_ABC, `${SHA256_ABC}`)).toBe(true);
    expect(safeEqualHex(SHA256_ABC, SHA256_KEY)).toBe(false);
    expect(safeEqualHex(SHA256_ABC, SHA256_ABC.slice(0, 63))).toBe(false);
    expect(safeEqualHex('', '')).toBe(true);
    expect(safeEqualHex('', 'a')).toBe(false);
  });

  it('agrees with === on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(safeEqualHex(a, b)).toBe(a === b);
        expect(safeEqualHex(a, a)).toBe(true);
      }),
    );
  });
});
