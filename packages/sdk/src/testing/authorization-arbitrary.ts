import fc from 'fast-check';

/**
 * Generated Authorization headers for the property tests, and an oracle written from
 * RFC 6750 and the table (not from the parser under test) saying what each must get.
 */

/** None, one value, or several header lines. */
export type AuthorizationInput = string | string[] | undefined;

export type Expected =
  | { status: 200 }
  | { status: 400; error: 'invalid_request' }
  | { status: 401; error: 'invalid_token' | null };

const TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
const BEARER_SCHEME = new RegExp(`^bearer(?![${TCHAR}])`, 'i');
const CREDENTIAL = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The status (and RFC 6750 error) a request with these headers must get; `validKey` is the one key that verifies. */
export function expectedAnswer(input: AuthorizationInput, validKey: string): Expected {
  if (Array.isArray(input) && input.length > 1) return { status: 400, error: 'invalid_request' };
  const value = Array.isArray(input) ? input[0] : input;
  if (value === undefined) return { status: 401, error: null };
  const trimmed = value.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
  if (!BEARER_SCHEME.test(trimmed)) return { status: 401, error: null };
  const token = CREDENTIAL.exec(trimmed)?.[1];
  return token === validKey ? { status: 200 } : { status: 401, error: 'invalid_token' };
}

const schemeCase = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR');
/** Mostly what travels over HTTP; now and then what Node and Fetch refuse (CR, LF, NUL). */
const mostly = (common: string[], rare: string[]) =>
  fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...common) },
    { weight: 1, arbitrary: fc.constantFrom(...rare) },
  );
const separator = mostly([' ', '  ', '   ', '\t', ' \t', '', '\u00a0', ':'], ['\r\n', '\n', '\r']);
const padding = mostly(['', '', ' ', '\t', ' \t '], ['\r\n', '\u0000', '\n']);

/**
 * Everything a client, a proxy or an attacker might put in one Authorization value;
 * `big` adds 8 KB tokens (left out of duplicates: two of them pass Node's 16 KB header
 * budget, and Node answers 431 before any app runs).
 */
export function authorizationValue(validKey: string, { big = true } = {}): fc.Arbitrary<string> {
  const mutatedKey = fc
    .tuple(fc.nat({ max: validKey.length - 1 }), fc.constantFrom(...'0aZ_-=~.+/!é '))
    .map(([at, c]) => validKey.slice(0, at) + c + validKey.slice(at + 1));
  const token = fc.oneof(
    fc.constant(validKey),
    fc.constant(validKey),
    mutatedKey,
    fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,80}=*$/),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    ...(big ? [fc.constant('A'.repeat(8 * 1024))] : []),
    fc.constant(`${validKey},${validKey}`),
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(padding, schemeCase, separator, token, padding).map((p) => p.join('')) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', 'Bearer', 'Bearer ', 'Bearer=', '=', ',') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('Basic', 'Token', 'Digest', 'Bearerx', 'Bear', 'ApiKey', 'b\u00e9arer'),
          separator,
          token,
        )
        .map((p) => p.join('')),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
}

/** No header, one value, or duplicate lines. */
export function authorizationInput(validKey: string): fc.Arbitrary<AuthorizationInput> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 12, arbitrary: authorizationValue(validKey) },
    {
      weight: 3,
      arbitrary: fc.array(authorizationValue(validKey, { big: false }), { minLength: 2, maxLength: 3 }),
    },
  );
}
