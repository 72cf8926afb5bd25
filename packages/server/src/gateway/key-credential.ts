import type { IncomingMessage } from 'node:http';
import {
  authorizationLines,
  type BearerCredential,
  MAX_TOKEN_LENGTH,
  parseAuthorization,
} from '@keyward/sdk';

/** A key in a custom header: printable ASCII without spaces (what any keyward or imported key is). */
const CUSTOM_KEY = /^[\x21-\x7e]+$/;

/** Every line of one header, as received (Node's `headers` object would keep only the first). */
function headerLines(rawHeaders: readonly string[], name: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const field = rawHeaders[i];
    const value = rawHeaders[i + 1];
    if (
      field !== undefined &&
      value !== undefined &&
      field.length === name.length &&
      field.toLowerCase() === name
    ) {
      lines.push(value);
    }
  }
  return lines;
}

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

/** The header a client must send, for answer texts (`Authorization: Bearer <key>` or `X-Api-Key: <key>`). */
export const keyHeaderHint = (keyHeader: string): string =>
  keyHeader === 'authorization'
    ? 'Authorization: Bearer <key>'
    : `${keyHeader.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`)}: <key>`;
