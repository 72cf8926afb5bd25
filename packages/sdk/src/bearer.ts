/**
 * RFC 6750 §2.1 credential parsing:
 *
 *   credentials = "Bearer" 1*SP b64token
 *   b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * The scheme is matched case-insensitively (RFC 9110 §11.1). A header with another scheme
 * counts as no credentials (RFC 6750 §3.1: "attempted using an unsupported authentication
 * method" gets no error code); a Bearer header whose token breaks the grammar is malformed
 * and answers like an unknown key. Two Authorization headers are a `duplicate`
 * (invalid_request): which one a proxy or framework keeps is not defined.
 */

import { LIMITS } from '@keyward/protocol';

export type BearerCredential =
  | { kind: 'missing' }
  | { kind: 'malformed' }
  | { kind: 'duplicate' }
  | { kind: 'ok'; token: string };

/**
 * Longest token accepted: the verify API's limit. keyward keys are ~55 characters and
 * imported ones rarely pass a few hundred; longer values are malformed before any digest,
 * lookup or network call is paid for.
 */
export const MAX_TOKEN_LENGTH = LIMITS.keyLength;

const MISSING: BearerCredential = Object.freeze({ kind: 'missing' });
const MALFORMED: BearerCredential = Object.freeze({ kind: 'malformed' });
const DUPLICATE: BearerCredential = Object.freeze({ kind: 'duplicate' });

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 9110 tchar: the characters of an auth-scheme. */
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
/** One credential of a comma-joined field value: an auth-scheme, then SP and something. */
const CREDENTIAL_LIKE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ +[^ ]/;

const isOws = (code: number): boolean => code === 0x20 || code === 0x09;

/** Strips optional whitespace (SP, HTAB) around a field value, as RFC 9110 §5.5 does. Linear time. */
const trimOws = (value: string): string => {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
};

/** Parses one Authorization field value. */
export function parseBearerValue(raw: string): BearerCredential {
  const value = trimOws(raw);
  if (value.length === 0) return MISSING;
  let schemeEnd = 0;
  while (schemeEnd < value.length && TCHAR.test(value.charAt(schemeEnd))) schemeEnd++;
  if (schemeEnd !== 6 || value.slice(0, 6).toLowerCase() !== 'bearer') return MISSING;
  let tokenStart = 6;
  while (tokenStart < value.length && value.charCodeAt(tokenStart) === 0x20) tokenStart++;
  if (tokenStart === 6) return MALFORMED;
  const token = value.slice(tokenStart);
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !TOKEN68.test(token)) return MALFORMED;
  return { kind: 'ok', token };
}

/**
 * Parses the Authorization field lines of a request, one array entry per line as received
 * (Node's `rawHeaders`; `req.headers.authorization` silently keeps only the first).
 *
 * @example parseAuthorization(['bearer amp_live_abc']) // { kind: 'ok', token: 'amp_live_abc' }
 */
export function parseAuthorization(values: readonly string[]): BearerCredential {
  if (values.length > 1) return DUPLICATE;
  const [value] = values;
  return value === undefined ? MISSING : parseBearerValue(value);
}

/**
 * Parses a field value that may join several lines with ", " (the Fetch `Headers` API does
 * that). A Bearer token never holds a comma, so a value that splits into two or more
 * credential-shaped parts is a duplicate; any other comma leaves it to the grammar.
 */
export function parseCombinedAuthorization(value: string | null | undefined): BearerCredential {
  if (value === null || value === undefined) return MISSING;
  if (value.includes(',')) {
    let credentials = 0;
    for (const part of value.split(',')) if (CREDENTIAL_LIKE.test(trimOws(part))) credentials++;
    if (credentials > 1) return DUPLICATE;
  }
  return parseBearerValue(value);
}

/**
 * Every line of one header as received, from Node's `rawHeaders` (name, value, name,
 * value, ...): `req.headers` would silently keep only the first. `name` is lower-case.
 */
export function headerLines(rawHeaders: readonly string[], name: string): string[] {
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

/** Collects every Authorization line from Node's `rawHeaders`. */
export const authorizationLines = (rawHeaders: readonly string[]): string[] =>
  headerLines(rawHeaders, 'authorization');

/**
 * True when the request target carries an `access_token` query parameter (RFC 6750 §2.3).
 * keyward never accepts a key in a URL (it ends up in logs and Referer headers): such a
 * request is answered 400 invalid_request even when it also sends a header.
 */
export function hasQueryToken(target: string): boolean {
  const hash = target.indexOf('#');
  const beforeHash = hash === -1 ? target : target.slice(0, hash);
  const start = beforeHash.indexOf('?');
  if (start === -1) return false;
  const query = beforeHash.slice(start + 1);
  if (!query.includes('access') && !query.includes('%')) return false;
  return new URLSearchParams(query).has('access_token');
}
