import type { ClientHints } from '@keyward/protocol';
import { permissionMatches } from './permissions.js';

/**
 * Browser signals, for publishable keys and for secret keys caught in client code.
 *
 * The rule of `looksLikeBrowser` (what a browser cannot leave out, what a server-side client
 * does not send):
 * 1. `Sec-Fetch-Site` present → a browser. Every current engine (Chromium 76+, Firefox 90+,
 *    Safari 16.4+) sends it on every request, and scripts cannot remove it (a forbidden header).
 * 2. `Origin` present (including `null`: a sandboxed frame or a `file:` page) → a browser. A
 *    browser sends it on every cross-origin fetch and every non-GET; server HTTP clients
 *    (curl, Node's fetch, undici, the keyward SDK) do not.
 * 3. Nothing else counts. `Sec-Fetch-Mode` alone is NOT a browser: Node's fetch (undici)
 *    sends `sec-fetch-mode: cors` on every request, with neither Origin nor Sec-Fetch-Site.
 *    A browser `User-Agent` alone is not either: server scripts copy browser user agents
 *    all the time, and an old browser without Sec-Fetch-* still sends Origin when a page on
 *    another origin calls the API (the case that matters). Mobile apps send none of these:
 *    a key shipped in an app cannot be seen this way.
 *
 * @example looksLikeBrowser({ secFetchMode: 'cors', userAgent: 'node' }) // false
 */
export function looksLikeBrowser(client: ClientHints | undefined): boolean {
  if (client === undefined) return false;
  return nonEmpty(client.secFetchSite) || nonEmpty(client.origin);
}

const nonEmpty = (value: string | undefined): boolean => value !== undefined && value.trim().length > 0;

/**
 * Matches browser origins against an allow-list of `scheme://host[:port]` entries (compared
 * case-insensitively, exactly: no default-port folding, no path) and `scheme://*.host[:port]`
 * wildcards, which match any subdomain of `host` at any depth but not `host` itself. The
 * origin `null` never matches.
 *
 * @example compileOriginAllowList(['https://*.example.com'])('https://app.example.com') // true
 */
export function compileOriginAllowList(allowed: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const wildcards: Array<{ scheme: string; suffix: string }> = [];
  for (const entry of allowed) {
    const lower = entry.toLowerCase();
    const star = lower.indexOf('://*.');
    if (star === -1) exact.add(lower);
    else wildcards.push({ scheme: lower.slice(0, star + 3), suffix: lower.slice(star + 4) });
  }
  return (origin) => {
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return true;
    for (const { scheme, suffix } of wildcards) {
      if (!lower.startsWith(scheme)) continue;
      const host = lower.slice(scheme.length);
      // `suffix` starts with '.': `https://*.example.com` matches `a.example.com`, not `evilexample.com`.
      if (
        host.length > suffix.length &&
        host.endsWith(suffix) &&
        !host.slice(0, -suffix.length).includes('/')
      )
        return true;
    }
    return false;
  };
}

/**
 * The permissions a publishable key may use: its own that a public permission covers, and
 * the public ones its own cover (so `sessions:*` own ∩ `sessions:read` public = `sessions:read`).
 *
 * @example publicIntersection(['sessions:*'], ['sessions:read']) // ['sessions:read']
 */
export function publicIntersection(own: readonly string[], publicPermissions: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of own) if (publicPermissions.some((pub) => permissionMatches(pub, p))) out.add(p);
  for (const pub of publicPermissions) if (own.some((p) => permissionMatches(p, pub))) out.add(pub);
  return [...out];
}
