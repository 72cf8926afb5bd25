import { createHash, randomBytes } from 'node:crypto';

/**
 * A new session or link token: 256 bits from `node:crypto`, base64url (43 characters).
 * Handed to the browser once; the server keeps only `tokenDigest(token)`.
 */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');

/** The shape of a token `newSessionToken` makes; anything else is refused before any lookup. */
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * SHA-256 (hex) of a token: what the database keeps. A plain hash suffices: the token has
 * 256 bits of entropy, so the digest cannot be reversed by guessing.
 *
 * @example tokenDigest(newSessionToken()).length // 64
 */
export const tokenDigest = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');
