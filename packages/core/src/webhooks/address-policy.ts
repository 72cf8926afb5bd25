import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { KeywardError } from '../contracts/errors.js';

/**
 * Which receiver addresses webhooks may reach (server-side request forgery guard).
 * `public` (default): global unicast only. `loopback`: also 127.0.0.0/8 and ::1 (tests, a
 * receiver on the same host). `private`: also private networks (10/8, 172.16/12,
 * 192.168/16, 100.64/10, fc00::/7) and loopback, for receivers inside your network.
 * Never: link-local (169.254.0.0/16 holds cloud metadata endpoints, fe80::/10),
 * unspecified, broadcast, multicast, reserved ranges, and IPv6 forms that embed an
 * IPv4 address elsewhere (6to4, Teredo, NAT64).
 */
export type WebhookAddressPolicy = 'public' | 'loopback' | 'private';

const PRIVATE_V4 = new Set(['private', 'carrierGradeNat']);
const PRIVATE_V6 = new Set(['uniqueLocal']);

/** Whether `address` (an IP literal) may be reached under `policy`. */
export function addressAllowed(address: string, policy: WebhookAddressPolicy): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range === 'unicast') return true;
  if (range === 'loopback') return policy !== 'public';
  const privateRanges = parsed.kind() === 'ipv4' ? PRIVATE_V4 : PRIVATE_V6;
  return policy === 'private' && privateRanges.has(range);
}

/** A receiver URL's scheme and form (not its addresses): `VALIDATION` naming `field` otherwise. */
export function checkWebhookUrl(raw: string, field = 'url'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new KeywardError('VALIDATION', `${field} is not a URL`, { field });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KeywardError('VALIDATION', `${field} must be an http or https URL`, { field });
  }
  if (url.username !== '' || url.password !== '') {
    throw new KeywardError(
      'VALIDATION',
      `${field} must not hold credentials (sign with the webhook secret instead)`,
      {
        field,
      },
    );
  }
  if (url.hash !== '') throw new KeywardError('VALIDATION', `${field} must not have a #fragment`, { field });
  return url;
}

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Resolves the receiver's host and returns the first address the policy allows; the
 * caller connects to exactly that address (no second lookup a DNS rebinding could
 * change). Throws a plain Error saying why (it lands in the delivery log).
 */
export async function resolveAllowed(
  url: URL,
  policy: WebhookAddressPolicy,
  resolve: (host: string) => Promise<Array<{ address: string; family: number }>> = (host) =>
    lookup(host, { all: true, verbatim: true }),
): Promise<{ address: string; family: 4 | 6 }> {
  const host = hostOf(url);
  const literal = isIP(host);
  const candidates = literal !== 0 ? [{ address: host, family: literal }] : await resolve(host);
  const allowed = candidates.find((candidate) => addressAllowed(candidate.address, policy));
  if (allowed === undefined) {
    throw new Error(
      candidates.length === 0
        ? 'the receiver host does not resolve'
        : `the receiver resolves only to addresses the webhook address policy (${policy}) blocks`,
    );
  }
  return { address: allowed.address, family: allowed.family === 6 ? 6 : 4 };
}
