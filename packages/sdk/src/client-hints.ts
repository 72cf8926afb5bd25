import type { ClientHints } from '@keyward/protocol';

/** `User-Agent` is cut to this many characters (the verify API's limit). */
const USER_AGENT_MAX = 256;
/** Longer `Origin` or `Sec-Fetch-*` values are not real ones: they are left out. */
const ORIGIN_MAX = 512;
const SEC_FETCH_MAX = 32;

const first = (value: string | readonly string[] | undefined): string | undefined => {
  const text = typeof value === 'string' ? value : value?.[0];
  return text === undefined || text.length === 0 ? undefined : text;
};

/**
 * The client hints of a request, read from its headers by one function that every face
 * uses (the Express, Fastify and Hono middleware, and the gateway): `User-Agent`
 * (truncated to 256 characters), `Origin`, `Sec-Fetch-Site` and `Sec-Fetch-Mode` (each left
 * out when absent, empty or longer than the verify API accepts). Undefined when none is there.
 *
 * @example clientHintsFrom((name) => req.headers[name]) // { origin: 'https://app.example.com', ... }
 */
export function clientHintsFrom(
  header: (lowerCaseName: string) => string | readonly string[] | undefined,
): ClientHints | undefined {
  const hints: ClientHints = {};
  const userAgent = first(header('user-agent'));
  if (userAgent !== undefined) hints.userAgent = userAgent.slice(0, USER_AGENT_MAX);
  const origin = first(header('origin'));
  if (origin !== undefined && origin.length <= ORIGIN_MAX) hints.origin = origin;
  const site = first(header('sec-fetch-site'));
  if (site !== undefined && site.length <= SEC_FETCH_MAX) hints.secFetchSite = site;
  const mode = first(header('sec-fetch-mode'));
  if (mode !== undefined && mode.length <= SEC_FETCH_MAX) hints.secFetchMode = mode;
  return Object.keys(hints).length === 0 ? undefined : hints;
}
