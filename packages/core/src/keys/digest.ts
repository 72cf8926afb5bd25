import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { KeywardError } from '../contracts/errors.js';

/**
 * Keys are stored and looked up by digest only. Without a pepper the digest is the hex
 * SHA-256 of the key. With a pepper it is hex HMAC-SHA-256(pepper, SHA-256(key) raw
 * bytes): a stolen database alone cannot be brute-forced or matched against leaked keys,
 * and a plain SHA-256 digest imported from another system converts without the key.
 */
export interface Digester {
  /** Digest of a presented key (64 lower-case hex characters). */
  digest(key: string): string;
  /** Digest of a key known only by its plain SHA-256 (64 hex characters, any case). Throws `VALIDATION` otherwise. */
  fromSha256Hex(hex: string): string;
}

export interface DigesterOptions {
  /** Server-side secret keying the digest; default none (plain SHA-256). */
  pepper?: string;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * @example
 * const { digest } = createDigester({ pepper: process.env.KEYWARD_PEPPER });
 * await store.keys.findByDigest(digest(presentedKey));
 */
export function createDigester(options: DigesterOptions = {}): Digester {
  const { pepper } = options;
  if (pepper === undefined) {
    return Object.freeze({
      // One-shot `hash` (Node >= 20.12): a quarter of `createHash(...).update().digest()`'s cost.
      digest: (key: string) => hash('sha256', key, 'hex'),
      fromSha256Hex: (hex: string) => checkSha256Hex(hex).toLowerCase(),
    });
  }
  if (typeof pepper !== 'string' || pepper.length === 0) {
    throw new KeywardError('VALIDATION', 'pepper must be a non-empty string', { field: 'pepper' });
  }
  const keyed = (sha256: Buffer) => createHmac('sha256', pepper).update(sha256).digest('hex');
  return Object.freeze({
    digest: (key: string) => keyed(hash('sha256', key, 'buffer')),
    fromSha256Hex: (hex: string) => keyed(Buffer.from(checkSha256Hex(hex), 'hex')),
  });
}

function checkSha256Hex(hex: string): string {
  if (typeof hex !== 'string' || !SHA256_HEX.test(hex)) {
    throw new KeywardError('VALIDATION', 'a SHA-256 digest must be 64 hexadecimal characters', {
      field: 'sha256',
    });
  }
  return hex;
}

/**
 * Constant-time comparison of two hex strings (digests). Different lengths answer false
 * without revealing where they differ.
 *
 * @example safeEqualHex(stored.digest, digest(presented))
 */
export function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still spend a comparison so that a length mismatch is not measurably faster.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
