/**
 * The last line of defence against secrets in logs: `redactSecrets` rewrites any text (a
 * whole JSON log line, an error message, a URL) so that no credential survives in it,
 * wherever it sits. Loggers run every line through it (the server's pino `streamWrite`
 * hook, the SDK's and the CLI's error output); the code still never logs a secret on
 * purpose. What it removes:
 *
 * - anything shaped like a keyward key or root key (`<prefix>_<36 base62>`), and webhook
 *   secrets (`whsec_…`);
 * - the credential of an `Authorization`-style value (`Bearer …`, `Basic …`, `Token …`);
 * - values of credential headers in JSON (`"authorization"`, `"cookie"`, `"set-cookie"`,
 *   `"x-api-key"`, ...), whatever their format (session cookies, portal tokens);
 * - values of URL query parameters whose name speaks of a credential (`access_token`,
 *   `api_key`, `session`, `sig`, `code`, ...);
 * - any opaque run of 40 or more URL-safe characters (session and portal tokens are 43
 *   base64url characters; digests go too, ids and UUIDs stay).
 *
 * Over-redaction is accepted: a log line losing an innocent value costs little.
 */

export const REDACTED = '[redacted]';

/** keyward key format (prefix, `_`, 30 random + 6 checksum base62; longer runs too), anywhere in a text. */
const KEY_SHAPED = /[a-z][a-z0-9_]{1,15}_[0-9A-Za-z]{36,}/g;
const WEBHOOK_SECRET = /whsec_[A-Za-z0-9+/=_-]{8,}/g;
const OPAQUE_RUN = /[A-Za-z0-9_-]{40,}/g;
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Digest|ApiKey)(\s+|%20|\+)[A-Za-z0-9\-._~+/%]+=*/gi;

/** Header names whose values are credentials, in whatever format. */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-keyward-root-key',
  'x-portal-token',
]);

/** Words that make a query parameter (or form field) name a credential. */
const CREDENTIAL_WORDS = 'key|token|secret|pass|pwd|auth|session|sid|sig|code|credential|jwt|cookie';
const CREDENTIAL_PARAM = new RegExp(
  `([?&;](?:[^=&\\s"'#]*?(?:${CREDENTIAL_WORDS})[^=&\\s"'#]*)=)[^&\\s"'#\\\\]*`,
  'gi',
);

const credentialHeaderField = (names: readonly string[]): RegExp =>
  new RegExp(
    `("(?:${names.map((n) => n.replace(/[-]/g, '\\-')).join('|')})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|\\[(?:[^\\]"]|"(?:[^"\\\\]|\\\\.)*")*\\])`,
    'gi',
  );
const HEADER_FIELD = credentialHeaderField(CREDENTIAL_HEADERS);

/** True when a query parameter or header name speaks of a credential. */
export const isCredentialName = (name: string): boolean =>
  CREDENTIAL_HEADERS.includes(name.toLowerCase()) || new RegExp(CREDENTIAL_WORDS, 'i').test(name);

/**
 * The text with every credential it holds replaced by `[redacted]` (see the module comment).
 *
 * @example redactSecrets('GET /x?access_token=amp_live_3kTq…') // 'GET /x?access_token=[redacted]'
 */
export function redactSecrets(text: string): string {
  return text
    .replace(HEADER_FIELD, `$1"${REDACTED}"`)
    .replace(CREDENTIAL_PARAM, `$1${REDACTED}`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(KEY_SHAPED, REDACTED)
    .replace(WEBHOOK_SECRET, REDACTED)
    .replace(OPAQUE_RUN, REDACTED);
}

/**
 * A request target fit for a log line: the path with opaque runs (a key pasted into a path)
 * cut, and no query string at all (any parameter could carry a secret).
 *
 * @example redactedPath('/v1/keys/amp_live_3kTq…?key=x') // '/v1/keys/[redacted]'
 */
export function redactedPath(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  return redactSecrets(path.slice(0, 512)).replace(/[A-Za-z0-9_\-.~%+=]{32,}/g, REDACTED);
}
