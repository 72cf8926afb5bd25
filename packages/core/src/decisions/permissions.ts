import { KeywardError } from '../contracts/errors.js';

/**
 * Permission strings and the query language a verification uses to require them.
 *
 * A permission is one or more segments joined by `:` (`sessions:read`, `api.api_1.keys:read`).
 * Only `:` separates segments; `.` is an ordinary character inside a segment. Matching is
 * case-sensitive. A `*` segment in a GRANTED permission is a wildcard: it matches exactly one
 * segment, except as the last segment, where it matches one or more remaining segments
 * (`sessions:*` grants `sessions:read` and `sessions:read:own`, not `sessions`); a lone `*`
 * grants everything. In a REQUIRED permission `*` is an ordinary segment.
 *
 * Query grammar (AND binds tighter than OR; operators are case-insensitive words, so no
 * permission may be named `and` or `or`):
 * ```
 * query := or
 * or    := and ( "OR" and )*
 * and   := atom ( "AND" atom )*
 * atom  := permission | "(" or ")"
 * ```
 */

/** A parsed permission query. `and`/`or` nodes have two or more operands. */
export type PermissionQuery =
  | { kind: 'permission'; permission: string }
  | { kind: 'and'; operands: PermissionQuery[] }
  | { kind: 'or'; operands: PermissionQuery[] };

/** Longest query `parsePermissionQuery` accepts, in characters. */
export const MAX_QUERY_LENGTH = 1000;
/** Deepest parenthesis nesting `parsePermissionQuery` accepts. */
export const MAX_QUERY_DEPTH = 32;
/** Longest permission string, in characters. */
export const MAX_PERMISSION_LENGTH = 256;

const PERMISSION = /^[A-Za-z0-9_.:*-]+$/;
const WORD_CHAR = /[A-Za-z0-9_.:*-]/;

/**
 * True when `p` is a well-formed permission: at most 256 characters of `[A-Za-z0-9_.:*-]`,
 * no empty segment, `*` only as a whole segment, and not an operator word (`AND`, `OR`).
 *
 * @example validatePermission('sessions:*') // true; validatePermission('sess*:read') // false
 */
export function validatePermission(p: string): boolean {
  if (p.length === 0 || p.length > MAX_PERMISSION_LENGTH || !PERMISSION.test(p)) return false;
  const upper = p.toUpperCase();
  if (upper === 'AND' || upper === 'OR') return false;
  return p.split(':').every((segment) => segment.length > 0 && (segment === '*' || !segment.includes('*')));
}

/**
 * True when the granted permission covers the required one (see the module comment for
 * wildcards).
 *
 * @example permissionMatches('sessions:*', 'sessions:read:own') // true
 */
export function permissionMatches(granted: string, required: string): boolean {
  if (granted === required) return true;
  if (!granted.includes('*')) return false;
  const g = granted.split(':');
  const r = required.split(':');
  const last = g.length - 1;
  for (let i = 0; i < g.length; i++) {
    if (i >= r.length) return false;
    if (g[i] === '*') {
      if (i === last) return true;
    } else if (g[i] !== r[i]) {
      return false;
    }
  }
  return g.length === r.length;
}

type Token = { type: 'word' | 'and' | 'or' | 'open' | 'close' | 'end'; text: string; at: number };

const fail = (message: string): never => {
  throw new KeywardError('VALIDATION', `permissions: ${message}`, { field: 'permissions' });
};

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'open' : 'close', text: c, at: i++ });
    } else if (WORD_CHAR.test(c)) {
      const at = i;
      while (i < query.length && WORD_CHAR.test(query.charAt(i))) i++;
      const text = query.slice(at, i);
      const upper = text.toUpperCase();
      tokens.push({ type: upper === 'AND' ? 'and' : upper === 'OR' ? 'or' : 'word', text, at });
    } else {
      fail(`unexpected ${JSON.stringify(String.fromCodePoint(query.codePointAt(i) ?? 0))} at position ${i}`);
    }
  }
  tokens.push({ type: 'end', text: '', at: query.length });
  return tokens;
}

/**
 * Parses a permission query such as `sessions:read AND (chargers:read OR admin)`.
 * Positions in error messages are 0-based character offsets into `query`.
 *
 * @throws KeywardError `VALIDATION` (field `permissions`) when the query is empty, longer than
 *   1000 characters, nested deeper than 32, names an invalid permission, or is malformed,
 *   e.g. `permissions: unexpected ")" at position 17`.
 * @example parsePermissionQuery('a AND (b OR c)')
 * // { kind: 'and', operands: [{ kind: 'permission', permission: 'a' }, { kind: 'or', operands: [...] }] }
 */
export function parsePermissionQuery(query: string): PermissionQuery {
  if (query.length > MAX_QUERY_LENGTH) fail(`query longer than ${MAX_QUERY_LENGTH} characters`);
  const tokens = tokenize(query);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { type: 'end', text: '', at: query.length };
  const unexpected = (token: Token): never =>
    token.type === 'end'
      ? fail(`unexpected end of query at position ${token.at}`)
      : fail(`unexpected ${JSON.stringify(token.text)} at position ${token.at}`);

  // Recursion depth is bounded by the parenthesis depth (≤ 32); AND/OR chains loop.
  const parseOr = (depth: number): PermissionQuery => {
    const operands = [parseAnd(depth)];
    while (peek().type === 'or') {
      pos++;
      operands.push(parseAnd(depth));
    }
    return operands.length === 1 && operands[0] ? operands[0] : { kind: 'or', operands };
  };
  const parseAnd = (depth: number): PermissionQuery => {
    const operands = [parseAtom(depth)];
    while (peek().type === 'and') {
      pos++;
      operands.push(parseAtom(depth));
    }
    return operands.length === 1 && operands[0] ? operands[0] : { kind: 'and', operands };
  };
  const parseAtom = (depth: number): PermissionQuery => {
    const token = peek();
    if (token.type === 'word') {
      pos++;
      if (!validatePermission(token.text))
        fail(`invalid permission ${JSON.stringify(token.text)} at position ${token.at}`);
      return { kind: 'permission', permission: token.text };
    }
    if (token.type !== 'open') return unexpected(token);
    if (depth >= MAX_QUERY_DEPTH) fail(`nesting deeper than ${MAX_QUERY_DEPTH} at position ${token.at}`);
    pos++;
    const inner = parseOr(depth + 1);
    const close = peek();
    if (close.type === 'end') fail(`unclosed "(" at position ${token.at}`);
    if (close.type !== 'close') unexpected(close);
    pos++;
    return inner;
  };

  if (peek().type === 'end') fail('empty query at position 0');
  const result = parseOr(0);
  if (peek().type !== 'end') unexpected(peek());
  return result;
}

/**
 * Prints a query so that parsing the output gives back the same tree (parentheses only
 * where needed).
 *
 * @example formatPermissionQuery(parsePermissionQuery('a and (b or c)')) // 'a AND (b OR c)'
 */
export function formatPermissionQuery(query: PermissionQuery): string {
  if (query.kind === 'permission') return query.permission;
  const op = query.kind === 'and' ? ' AND ' : ' OR ';
  return query.operands
    .map((operand) => {
      const needsParens = operand.kind === 'or' || (operand.kind === 'and' && query.kind === 'and');
      const text = formatPermissionQuery(operand);
      return needsParens ? `(${text})` : text;
    })
    .join(op);
}

/**
 * A key's granted permissions prepared once for many checks (the engine keeps one per cached
 * key): exact grants in a Set, `prefix:*` grants as prefixes, and only other wildcard grants
 * matched segment by segment, so a check allocates nothing; verdicts are remembered per
 * required permission.
 */
export interface PermissionGrants {
  /** True when some granted permission covers `required` (exactly as `permissionMatches`). */
  covers(required: string): boolean;
}

/** Distinct required permissions whose verdict one `PermissionGrants` remembers. */
const REMEMBERED_VERDICTS = 64;

/**
 * Prepares granted permissions for `evaluatePermissionQuery`.
 *
 * @example
 * const grants = compilePermissions(['chargers:read', 'sessions:*']);
 * grants.covers('sessions:read') // true
 */
export function compilePermissions(granted: readonly string[]): PermissionGrants {
  const exact = new Set(granted);
  let everything = false;
  /** `p:` of each `p:*` grant whose `p` holds no other wildcard: it covers what starts with `p:`. */
  const prefixes: string[] = [];
  const patterns: string[] = [];
  for (const permission of granted) {
    if (!permission.includes('*')) continue;
    const head = permission.slice(0, -1);
    if (permission === '*') everything = true;
    else if (permission.endsWith(':*') && !head.includes('*')) prefixes.push(head);
    else patterns.push(permission);
  }
  const match = (required: string): boolean => {
    if (everything || exact.has(required)) return true;
    for (const prefix of prefixes) if (required.startsWith(prefix)) return true;
    for (const pattern of patterns) if (permissionMatches(pattern, required)) return true;
    return false;
  };
  // Routes ask for the same few permissions again and again: one lookup answers a repeat.
  const verdicts = new Map<string, boolean>();
  return {
    covers(required) {
      let verdict = verdicts.get(required);
      if (verdict === undefined) {
        verdict = match(required);
        if (verdicts.size < REMEMBERED_VERDICTS) verdicts.set(required, verdict);
      }
      return verdict;
    },
  };
}

const satisfies = (query: PermissionQuery, grants: PermissionGrants): boolean => {
  if (query.kind === 'permission') return grants.covers(query.permission);
  if (query.kind === 'and') {
    for (const operand of query.operands) if (!satisfies(operand, grants)) return false;
    return true;
  }
  for (const operand of query.operands) if (satisfies(operand, grants)) return true;
  return false;
};

/**
 * True when the granted permissions satisfy the query. Pass `compilePermissions(granted)`
 * when the same permissions are checked again and again.
 *
 * @example evaluatePermissionQuery(parsePermissionQuery('a AND b'), ['a', 'b']) // true
 */
export function evaluatePermissionQuery(
  query: PermissionQuery,
  granted: readonly string[] | PermissionGrants,
): boolean {
  if ('covers' in granted) return satisfies(query, granted);
  switch (query.kind) {
    case 'permission':
      return granted.some((g) => permissionMatches(g, query.permission));
    case 'and':
      return query.operands.every((operand) => evaluatePermissionQuery(operand, granted));
    case 'or':
      return query.operands.some((operand) => evaluatePermissionQuery(operand, granted));
  }
}

/**
 * Every permission the query names, once each, in order of appearance (for the 403
 * `scope` attribute).
 *
 * @example requiredPermissions(parsePermissionQuery('a AND (b OR a)')) // ['a', 'b']
 */
export function requiredPermissions(query: PermissionQuery): string[] {
  const seen = new Set<string>();
  const walk = (node: PermissionQuery): void => {
    if (node.kind === 'permission') seen.add(node.permission);
    else for (const operand of node.operands) walk(operand);
  };
  walk(query);
  return [...seen];
}
