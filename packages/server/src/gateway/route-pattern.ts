/**
 * Route path patterns: `/v1/stations` (static), `/v1/stations/:id` (`:id` matches exactly one
 * non-empty segment), `/v1/*` (`*`, only as the last segment, matches the rest of the path:
 * `/v1`, `/v1/` and everything under `/v1/`). Matching is case-sensitive and compares
 * percent-decoded segments, so `/v1/st%61tions` is `/v1/stations`; the path forwarded
 * upstream is the one the client sent, byte for byte.
 */

export type Segment = { kind: 'static'; text: string } | { kind: 'param'; name: string } | { kind: 'rest' };

const PARAM = /^:[A-Za-z_][A-Za-z0-9_]*$/;
// RFC 3986 pchar without '%' (a pattern is matched against decoded segments).
const STATIC = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/;

/** Parses a pattern; throws an Error whose message says what is wrong. */
export function parseRoutePattern(pattern: string): Segment[] {
  if (!pattern.startsWith('/')) throw new Error('must start with "/"');
  if (pattern === '/') return [];
  const parts = pattern.slice(1).split('/');
  return parts.map((part, i): Segment => {
    const last = i === parts.length - 1;
    if (part === '*') {
      if (!last) throw new Error('"*" is only allowed as the last segment');
      return { kind: 'rest' };
    }
    if (part.startsWith(':')) {
      if (!PARAM.test(part))
        throw new Error(`invalid parameter "${part}" (use :name with letters, digits, _)`);
      return { kind: 'param', name: part.slice(1) };
    }
    if (part === '' && last) return { kind: 'static', text: '' };
    if (part === '') throw new Error('must not contain an empty segment ("//")');
    if (part === '.' || part === '..') throw new Error('must not contain "." or ".." segments');
    if (part.includes('*')) throw new Error('"*" must be a whole segment');
    if (!STATIC.test(part))
      throw new Error(`segment "${part}" has characters that are not allowed in a path`);
    return { kind: 'static', text: part };
  });
}

/** True when the decoded request segments match the pattern. */
export function matchSegments(pattern: readonly Segment[], segments: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i] as Segment;
    if (part.kind === 'rest') return true;
    const segment = segments[i];
    if (segment === undefined) return false;
    if (part.kind === 'param' ? segment === '' : segment !== part.text) return false;
  }
  return segments.length === pattern.length;
}

/**
 * Orders patterns from most to least specific: segment by segment, static beats `:param`
 * beats `*`; a pattern that ends where another continues with `*` wins.
 */
export function compareSpecificity(a: readonly Segment[], b: readonly Segment[]): number {
  const rank = (s: Segment | undefined) =>
    s === undefined ? 4 : s.kind === 'static' ? 3 : s.kind === 'param' ? 2 : 1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = rank(b[i]) - rank(a[i]);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** A shape that ignores parameter names: two routes with the same shape match the same paths. */
export const patternShape = (pattern: readonly Segment[]): string =>
  pattern.map((s) => (s.kind === 'static' ? `/${s.text}` : s.kind === 'param' ? '/:' : '/*')).join('');

export type RequestPath = { ok: true; segments: string[] } | { ok: false; reason: string };

/**
 * Splits and decodes a request path (without the query). Refuses what could make keyward and
 * the upstream disagree on which route a request is: dot segments (also percent-encoded),
 * encoded slashes or backslashes, raw backslashes, `#`, malformed percent-encoding, and
 * double percent-encoding.
 */
export function parseRequestPath(rawPath: string): RequestPath {
  if (!rawPath.startsWith('/')) return { ok: false, reason: 'the path must start with "/"' };
  if (rawPath.includes('\\')) return { ok: false, reason: 'the path must not contain a backslash' };
  // A fragment never belongs in a request; URL parsers upstream would drop it and see another path.
  if (rawPath.includes('#')) return { ok: false, reason: 'the path must not contain "#"' };
  if (rawPath === '/') return { ok: true, segments: [] };
  const segments = rawPath.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    let segment = segments[i] as string;
    if (segment.includes('%')) {
      if (/%(2f|5c)/i.test(segment))
        return { ok: false, reason: 'the path must not contain an encoded "/" or "\\"' };
      try {
        segment = decodeURIComponent(segment);
      } catch {
        return { ok: false, reason: 'the path has malformed percent-encoding' };
      }
      // Still an escape after one decoding: an upstream that decodes again would see
      // another path (`%252e%252e` → `..`, `st%2561tions` → `stations`) than keyward matched.
      if (/%[0-9a-f]{2}/i.test(segment))
        return { ok: false, reason: 'the path must not be percent-encoded twice' };
      segments[i] = segment;
    }
    if (segment === '.' || segment === '..')
      return { ok: false, reason: 'the path must not contain "." or ".." segments' };
  }
  return { ok: true, segments };
}
