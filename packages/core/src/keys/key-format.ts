import { randomBytes } from 'node:crypto';
import { KeywardError } from '../contracts/errors.js';
import { crc32, crc32Ascii } from './crc32.js';

/**
 * keyward keys look like GitHub's tokens: `<prefix>_<30 random base62><6 base62 CRC-32>`.
 * The prefix lets secret scanners match a provider's keys; the checksum lets verification
 * reject typos and garbage before it computes a digest or touches a cache or store.
 */

export { crc32 } from './crc32.js';

/** Digits, then upper case, then lower case: ASCII order, so fixed-width strings sort numerically. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random characters in a key (~178.6 bits of entropy). */
export const KEY_RANDOM_LENGTH = 30;
/** Checksum characters: CRC-32 as 6 base62 digits (62^6 > 2^32). */
export const KEY_CHECKSUM_LENGTH = 6;
/** Characters after `<prefix>_`. */
export const KEY_BODY_LENGTH = KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH;

const PREFIX_MIN = 2;
const PREFIX_MAX = 16;
const KEY_MIN_LENGTH = PREFIX_MIN + 1 + KEY_BODY_LENGTH;
const KEY_MAX_LENGTH = PREFIX_MAX + 1 + KEY_BODY_LENGTH;

/** A key prefix: a lower-case letter, then 1-15 lower-case letters, digits or underscores. */
export const KEY_PREFIX_PATTERN = /^[a-z][a-z0-9_]{1,15}$/;

/** Any keyward key (format only; the checksum is checked by `parseKey`). */
export const KEY_PATTERN = /^[a-z][a-z0-9_]{1,15}_[0-9A-Za-z]{36}$/;

/**
 * The published regex for keys of one prefix, anchored (for secret scanners and docs).
 * Throws `VALIDATION` for an invalid prefix.
 *
 * @example keyPattern('amp_live').test(key)
 */
export function keyPattern(prefix: string): RegExp {
  assertPrefix(prefix);
  // The prefix alphabet has no regex metacharacters, so it needs no escaping.
  return new RegExp(`^${prefix}_[0-9A-Za-z]{${KEY_BODY_LENGTH}}$`);
}

/** charCode → base62 digit value, -1 outside the alphabet. */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62_ALPHABET.length; i++) DIGIT[BASE62_ALPHABET.charCodeAt(i)] = i;

/** Largest multiple of 62 that fits a byte: bytes at or above it are rejected, so `byte % 62` is unbiased. */
const REJECT_FROM = 256 - (256 % 62);

/** Source of random bytes; tests inject a fixed one for known-answer vectors. */
export type RandomSource = (size: number) => Uint8Array;

function randomBase62(length: number, random: RandomSource): string {
  let out = '';
  while (out.length < length) {
    // ~3% of bytes are rejected: ask for a little more than needed.
    const bytes = random(length - out.length + 8);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const byte = bytes[i] as number;
      if (byte < REJECT_FROM) out += BASE62_ALPHABET[byte % 62];
    }
  }
  return out;
}

/** CRC-32 as exactly 6 base62 digits, most significant first. */
function checksumOf(payload: string): string {
  let value = crc32(payload);
  let out = '';
  for (let i = 0; i < KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62_ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

function isPrefix(value: string, end: number): boolean {
  if (end < PREFIX_MIN || end > PREFIX_MAX) return false;
  const first = value.charCodeAt(0);
  if (first < 97 || first > 122) return false;
  for (let i = 1; i < end; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

function assertPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !isPrefix(prefix, prefix.length)) {
    throw new KeywardError('VALIDATION', 'prefix must match [a-z][a-z0-9_]{1,15}', { field: 'prefix' });
  }
}

/**
 * A new key for `prefix` from the CSPRNG. Throws `VALIDATION` for an invalid prefix.
 *
 * @example generateKey('amp_live') // 'amp_live_3kTq…' (46 characters)
 */
export function generateKey(prefix: string, options: { random?: RandomSource } = {}): string {
  const { random = randomBytes } = options;
  assertPrefix(prefix);
  const payload = `${prefix}_${randomBase62(KEY_RANDOM_LENGTH, random)}`;
  return payload + checksumOf(payload);
}

/**
 * True when `value` is a well-formed keyward key with a correct checksum. Allocation-free
 * and linear: a length check first, then one pass over the characters (no regex).
 */
export function isValidKey(value: string): boolean {
  if (typeof value !== 'string') return false;
  const length = value.length;
  if (length < KEY_MIN_LENGTH || length > KEY_MAX_LENGTH) return false;
  const separator = length - KEY_BODY_LENGTH - 1;
  if (value.charCodeAt(separator) !== 95 || !isPrefix(value, separator)) return false;
  for (let i = separator + 1; i < length - KEY_CHECKSUM_LENGTH; i++) {
    const c = value.charCodeAt(i);
    if (c > 127 || (DIGIT[c] as number) < 0) return false;
  }
  let checksum = 0;
  for (let i = length - KEY_CHECKSUM_LENGTH; i < length; i++) {
    const c = value.charCodeAt(i);
    const digit = c > 127 ? -1 : (DIGIT[c] as number);
    if (digit < 0) return false;
    checksum = checksum * 62 + digit;
  }
  return checksum === crc32Ascii(value, length - KEY_CHECKSUM_LENGTH);
}

/**
 * Splits a key into its prefix and its secret part (random + checksum); null when the
 * format or the checksum is wrong.
 *
 * @example parseKey('amp_live_…')?.prefix // 'amp_live'
 */
export function parseKey(value: string): { prefix: string; secret: string } | null {
  if (!isValidKey(value)) return null;
  const separator = value.length - KEY_BODY_LENGTH - 1;
  return { prefix: value.slice(0, separator), secret: value.slice(separator + 1) };
}

/**
 * The display hint stored beside a digest: prefix, `_`, the first 4 and the last 4
 * characters of the 36-character body (`amp_live_3kTq…9fQ2`). A foreign (imported) key
 * shows only its last 4 characters (`…9fQ2`): its length and structure are unknown, so
 * showing more could give away a real part of a short secret.
 */
export function keyHint(key: string): string {
  const separator = key.length - KEY_BODY_LENGTH - 1;
  if (separator > 0 && key.charCodeAt(separator) === 95 && isPrefix(key, separator)) {
    return `${key.slice(0, separator)}_${key.slice(separator + 1, separator + 5)}…${key.slice(-4)}`;
  }
  return `…${key.slice(-4)}`;
}
