import type { IncomingMessage } from 'node:http';
import {
  authorizationLines,
  type BearerCredential,
  headerLines,
  MAX_TOKEN_LENGTH,
  parseAuthorization,
} from '@keyward/sdk';

/** A key in a custom header: printable ASCII without spaces (what any keyward or imported key is). */
const CUSTOM_KEY = /^[\x21-\x7e]+$/;

/**
 * The key a request presents, read from `Authorization: Bearer` (RFC 6750, parsed by the
 * SDK) or from a custom header that holds the bare key (`X-Api-Key: amp_live_...`). Two
 * lines of the header are a `duplicate`, answered 400 like two Authorization headers.
 *
 * @example readCredential(request.raw, 'x-api-key') // { kind: 'ok', token: 'amp_live_...' }
 */
export function readCredential(raw: IncomingMessage, keyHeader: string): BearerCredential {
  if (keyHeader === 'authorization') return parseAuthorization(authorizationLines(raw.rawHeaders));
  const lines = headerLines(raw.rawHeaders, keyHeader);
  if (lines.length > 1) return { kind: 'duplicate' };
  const value = lines[0]?.trim() ?? '';
  if (value === '') return { kind: 'missing' };
  if (value.length > MAX_TOKEN_LENGTH || !CUSTOM_KEY.test(value)) return { kind: 'malformed' };
  return { kind: 'ok', token: value };
}
