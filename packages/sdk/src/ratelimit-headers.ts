import type { RateLimitState } from './verification.js';

/** What the headers say of one limit. */
/**
 * What the headers need of one limit. `resetAfterMs` (the verifier's own "ms until reset")
 * makes `t=` agree with `Retry-After` whatever this host's clock says; without it `t=` is
 * counted from `reset` and `now`.
 */
export type HeaderLimit = Pick<RateLimitState, 'name' | 'limit' | 'remaining' | 'reset' | 'duration'> & {
  resetAfterMs?: number;
};

/**
 * `RateLimit-Policy` and `RateLimit` per draft-ietf-httpapi-ratelimit-headers (-08 and
 * later): Structured Field lists whose items are the policy name as an sf-string, e.g.
 *
 *   RateLimit-Policy: "per-minute";q=100;w=60, "per-day";q=5000;w=86400
 *   RateLimit: "per-minute";r=0;t=42, "per-day";r=4870;t=51000
 *
 * The most restrictive limit (fewest requests left, then the latest reset) comes first,
 * so a client that reads only the first item still paces itself correctly. `w` is given
 * when the window is known; the draft makes it optional.
 */

/** Seconds from `now` until `epochMs`, rounded up, never negative. */
export const secondsUntil = (epochMs: number, now: number): number =>
  Math.max(0, Math.ceil((epochMs - now) / 1000));

/** An sf-string: printable ASCII only, with `"` and `\` escaped (RFC 8941 §3.3.3). */
export const sfString = (value: string): string => {
  const known = quotedNames.get(value);
  return known ?? remember(value, quote(value));
};

/** Limit names repeat on every request: each is quoted once (bounded, as names come from configuration). */
const quotedNames = new Map<string, string>();
const remember = (name: string, quoted: string): string => {
  if (quotedNames.size >= 1000) quotedNames.clear();
  quotedNames.set(name, quoted);
  return quoted;
};

const quote = (value: string): string => {
  let out = '"';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char.length !== 1 || code < 0x20 || code > 0x7e) out += '?';
    else if (char === '"' || char === '\\') out += `\\${char}`;
    else out += char;
  }
  return `${out}"`;
};

/** An sf-integer: at most 15 digits, non-negative here. */
const sfInteger = (value: number): string =>
  String(Math.min(999_999_999_999_999, Math.max(0, Math.floor(Number.isFinite(value) ? value : 0))));

/** Orders limits most restrictive first and keeps the first of each name. */
export function orderLimits<L extends Pick<HeaderLimit, 'name' | 'remaining' | 'reset'>>(
  limits: readonly L[],
): readonly L[] {
  if (limits.length < 2) return limits;
  const sorted = [...limits].sort((a, b) => a.remaining - b.remaining || b.reset - a.reset);
  const seen = new Set<string>();
  return sorted.filter((limit) => {
    if (seen.has(limit.name)) return false;
    seen.add(limit.name);
    return true;
  });
}

/** Both header values, or null when no limit applied. */
export function rateLimitHeaders(
  limits: readonly HeaderLimit[],
  now: number,
): { 'ratelimit-policy': string; ratelimit: string } | null {
  if (limits.length === 0) return null;
  let policy = '';
  let state = '';
  for (const l of orderLimits(limits)) {
    const name = sfString(l.name);
    const window = `;w=${sfInteger(Math.ceil(l.duration / 1000))}`;
    const separator = policy === '' ? '' : ', ';
    policy += `${separator}${name};q=${sfInteger(l.limit)}${window}`;
    const t = l.resetAfterMs === undefined ? secondsUntil(l.reset, now) : Math.ceil(l.resetAfterMs / 1000);
    state += `${separator}${name};r=${sfInteger(l.remaining)};t=${sfInteger(t)}`;
  }
  return { 'ratelimit-policy': policy, ratelimit: state };
}
