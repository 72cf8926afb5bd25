import type { FieldError } from '@keyward/protocol';

/**
 * The server names an invalid field by its wire path (`body.prefix`, `querystring.limit`,
 * `body.ratelimits[0].limit`) in JSON Schema words (`must be <= 100`). A CLI user typed
 * flags, so this module, the one place that knows both, says it in flags and plain words:
 * `--limit must be at most 100`.
 */

/** Wire fields whose flag is not `--<the field in kebab-case>`; `<x>` is a positional argument. */
const FIELD_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  apiId: '--api',
  consumerId: '--consumer',
  keyId: '--key',
  targetId: '--target',
  ratelimits: '--ratelimit',
  permissions: '--permission',
  roles: '--role',
  events: '--event',
  allowedIps: '--allowed-ip',
  expiresAt: '--expires',
  gracePeriodMs: '--grace',
  enabled: '--enable/--disable',
  tags: '--tag',
  url: '<url>',
  key: '<key>',
});

/** The regular expressions of `@keyward/protocol`, as rules a person can follow (a test keeps this complete). */
export const PATTERN_RULES: Readonly<Record<string, string>> = Object.freeze({
  '^[a-z][a-z0-9_]{1,15}$': 'must be 2-16 lowercase letters, digits or _, starting with a letter',
  '^[A-Za-z0-9_.:*-]+$': 'may hold only letters, digits and _ . : * -',
  '^[A-Za-z0-9_.:-]+$': 'may hold only letters, digits and _ . : -',
  '^[\\x21-\\x7e]+$': 'must be printable ASCII without spaces',
  '^[0-9a-f]{64}$': 'must be 64 lowercase hex digits',
  '^[0-9a-fA-F]{64}$': 'must be 64 hex digits',
  '^[A-Za-z0-9._~+/-]+=*$': 'must be a token of letters, digits and . _ ~ + / - (then = padding)',
  '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$': 'must be a hex colour such as #0a7d4f or #fff',
  '^api\\.([A-Za-z0-9_]{1,64})\\.(keys:read|keys:write|keys:verify)$':
    'must be a root permission such as keys:write, or api.<apiId>.keys:read, keys:write or keys:verify',
  '^would_deny:(NOT_FOUND|DISABLED|EXPIRED|REVOKED|FORBIDDEN_IP|FORBIDDEN_ORIGIN|INSUFFICIENT_PERMISSIONS|RATE_LIMITED|USAGE_EXCEEDED)$':
    'must be a verification code, or would_deny: followed by a denial code such as RATE_LIMITED',
  '^https?://(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$':
    'must be an origin such as https://app.example.com or https://*.example.com (lowercase, no path)',
});

const TYPE_WORDS: Readonly<Record<string, string>> = Object.freeze({
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a JSON object',
});

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A command's own names for wire paths, e.g. `{ 'body.credits.cost': '--cost' }` (longest prefix wins). */
export type FieldFlags = Readonly<Record<string, string>>;

const overrideOf = (field: string, overrides: FieldFlags): { flag: string; rest: string } | null => {
  const prefix = Object.keys(overrides)
    .filter((path) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined
    ? null
    : { flag: overrides[prefix] ?? prefix, rest: field.slice(prefix.length) };
};

/** `[0].limit` → `#1 limit`. */
const innerPath = (rest: string): string =>
  rest
    .replace(/\[(\d+)\]/g, (_all, index: string) => ` #${Number(index) + 1} `)
    .replace(/\./g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** `params.id` → `<id>`, `querystring.limit` → `--limit`, `body.ratelimits[0].limit` → `--ratelimit #1 limit`. */
export function flagOfField(field: string, overrides: FieldFlags = {}): string {
  const own = overrideOf(field, overrides);
  const match = /^(body|querystring|params|headers)\.([A-Za-z0-9_-]+)(.*)$/.exec(field);
  if (own === null && match === null) return field;
  const [, part = '', name = '', rest = ''] = match ?? [];
  const flag = own?.flag ?? (part === 'params' ? `<${name}>` : (FIELD_FLAGS[name] ?? `--${kebab(name)}`));
  const inner = innerPath(own?.rest ?? rest);
  return inner === '' ? flag : `${flag} ${inner}`;
}

/** Ajv's words as a person says them: `must be <= 100` → `must be at most 100`. */
export function plainMessage(message: string): string {
  const pattern = /^must match pattern "(.*)"$/.exec(message);
  if (pattern !== null) return PATTERN_RULES[pattern[1] ?? ''] ?? 'is not in the expected format';
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^must be <= (\S+)$/, (m) => `must be at most ${m[1]}`],
    [/^must be >= (\S+)$/, (m) => `must be at least ${m[1]}`],
    [/^must be < (\S+)$/, (m) => `must be less than ${m[1]}`],
    [/^must be > (\S+)$/, (m) => `must be more than ${m[1]}`],
    [/^must NOT have more than (\d+) characters$/, (m) => `must be at most ${m[1]} characters long`],
    [/^must NOT have fewer than 1 characters$/, () => 'must not be empty'],
    [/^must NOT have fewer than (\d+) characters$/, (m) => `must be at least ${m[1]} characters long`],
    [/^must NOT have more than (\d+) items$/, (m) => `can be given at most ${m[1]} times`],
    [
      /^must NOT have fewer than (\d+) items$/,
      (m) => `must be given at least ${m[1]} time${m[1] === '1' ? '' : 's'}`,
    ],
    [/^must NOT have duplicate items.*$/, () => 'must not be given twice with the same value'],
    [
      /^must be (integer|number|string|boolean|array|object)$/,
      (m) => `must be ${TYPE_WORDS[m[1] ?? ''] ?? m[1]}`,
    ],
  ];
  for (const [rule, say] of rules) {
    const found = rule.exec(message);
    if (found !== null) return say(found);
  }
  return message;
}

/** Messages the server wrote with the field in front (`body.ip is not ...`, `permissions: unexpected ...`). */
const withoutField = (message: string, field: string): string => {
  const name = field.replace(/^(body|querystring|params|headers)\./, '');
  for (const prefix of [field, name]) {
    if (message.startsWith(`${prefix}: `)) return message.slice(prefix.length + 2);
    if (message.startsWith(`${prefix} `)) return message.slice(prefix.length + 1);
  }
  return message;
};

/** Messages that read on from the flag (`--ip must ...`); anything else follows a colon. */
const PREDICATE = /^(must|is|are|may|can|cannot|names|repeats|has|does|exceeds)\b/;

/** One field error in flag words: `--prefix must be ...`, `--permission: unexpected end of query at position 7`. */
export function describeFieldError(error: FieldError, overrides: FieldFlags = {}): string {
  const flag = flagOfField(error.field, overrides);
  const message = plainMessage(withoutField(error.message, error.field));
  return PREDICATE.test(message) ? `${flag} ${message}` : `${flag}: ${message}`;
}

/** One line for a 400's field errors: `--prefix must be 2-16 lowercase ...; --name must not be empty`. */
export const describeFieldErrors = (errors: readonly FieldError[], overrides: FieldFlags = {}): string =>
  errors.map((error) => describeFieldError(error, overrides)).join('; ');

/** Wire paths inside a sentence (a 404's or 409's detail) replaced by flags. */
export const withFlags = (text: string, overrides: FieldFlags = {}): string =>
  text.replace(/\b(?:body|querystring|params|headers)\.[A-Za-z0-9_]+(?:\[\d+\]|\.[A-Za-z0-9_]+)*/g, (field) =>
    flagOfField(field, overrides),
  );
