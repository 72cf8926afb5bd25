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
      expect(() => digester.fromSha256Hex(hex)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          field: 'sha256',
          message: 'a SHA-256 digest must be 64 hexadecimal characters',
        }),
      );
    }
  });

  it('rejects a digest that is not a string (as a VALIDATION, not a TypeError)', () => {
    expect(() => createDigester().fromSha256Hex(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'sha256' }),
    );
  });

  it('rejects an empty pepper and never echoes the pepper', () => {
    for (const pepper of ['', 42 as unknown as string]) {
      expect(() => createDigester({ pepper })).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          field: 'pepper',
          message: 'pepper must be a non-empty string',
        }),
      );
    }
    const digester = createDigester({ pepper: 'secret-pepper' });
    expect(() => digester.fromSha256Hex('nothex')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    const message = thrownMessage(() => digester.fromSha256Hex('nothex'));
    expect(message).not.toContain('secret-pepper');
    expect(message).not.toContain('nothex');
  });
});

/** The message `call` throws with; fails the test when it returns instead. */
function thrownMessage(call: () => unknown): string {
  let thrown: unknown = null;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Error);
  return (thrown as Error).message;
}

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
