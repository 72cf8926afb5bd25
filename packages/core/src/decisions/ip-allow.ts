import ipaddr from 'ipaddr.js';
import { KeywardError } from '../contracts/errors.js';

/**
 * IP allow-lists for keys: CIDR rules for IPv4 (`203.0.113.0/24`) and IPv6
 * (`2001:db8::/32`), or plain addresses (a /32 or /128). Parsing is strict: IPv4 only in
 * four-part decimal without leading zeros (no `127.1`, `0x7f.0.0.1` or `010.0.0.1`), and no
 * IPv6 zone in a rule. Host bits after the prefix are ignored (`10.0.0.1/8` = `10.0.0.0/8`).
 * An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is the IPv4 address it carries: it
 * matches IPv4 rules, and a mapped rule with a prefix of 96 or more is an IPv4 rule.
 */

type Rule = { kind: 'v4'; net: number; mask: number } | { kind: 'v6'; net: ipaddr.IPv6; bits: number };

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** Four-part decimal IPv4 to an unsigned 32-bit number, or null. */
const parseV4 = (value: string): number | null => {
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    n = n * 256 + octet;
  }
  return n;
};

const parseV6 = (value: string): ipaddr.IPv6 | null =>
  ipaddr.IPv6.isValid(value) ? ipaddr.IPv6.parse(value) : null;

/** The IPv4 address inside an IPv4-mapped IPv6 address, as a 32-bit number. */
const mappedV4 = (address: ipaddr.IPv6): number => (address.parts[6] ?? 0) * 65536 + (address.parts[7] ?? 0);

const v4Rule = (address: number, prefix: number): Rule => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { kind: 'v4', net: (address & mask) >>> 0, mask };
};

const parseRule = (value: string): Rule | null => {
  const slash = value.indexOf('/');
  const host = slash === -1 ? value : value.slice(0, slash);
  const prefixText = slash === -1 ? null : value.slice(slash + 1);
  if (prefixText !== null && !PREFIX.test(prefixText)) return null;
  const v4 = parseV4(host);
  if (v4 !== null) {
    const prefix = prefixText === null ? 32 : Number(prefixText);
    return prefix <= 32 ? v4Rule(v4, prefix) : null;
  }
  if (host.includes('%')) return null;
  const v6 = parseV6(host);
  if (v6 === null) return null;
  const bits = prefixText === null ? 128 : Number(prefixText);
  if (bits > 128) return null;
  if (v6.isIPv4MappedAddress() && bits >= 96) return v4Rule(mappedV4(v6), bits - 96);
  return { kind: 'v6', net: v6, bits };
};

/**
 * True when `value` is an allow-list entry `compileAllowList` accepts: an IPv4 or IPv6
 * CIDR, or a plain address.
 *
 * @example validateCidr('10.0.0.0/8') // true; validateCidr('10.0.0.0/33') // false
 */
export function validateCidr(value: string): boolean {
  return parseRule(value) !== null;
}

/**
 * Compiles an allow-list into a matcher. An empty list allows every address; otherwise an
 * address matches when any rule contains it, and a malformed address never matches.
 *
 * @throws KeywardError `VALIDATION` (field `allowedIps`) for an entry `validateCidr` rejects.
 * @example
 * const allowed = compileAllowList(['203.0.113.0/24', '2001:db8::/32']);
 * allowed('::ffff:203.0.113.9') // true
 */
export function compileAllowList(cidrs: readonly string[]): (ip: string) => boolean {
  if (cidrs.length === 0) return () => true;
  const v4: Array<Extract<Rule, { kind: 'v4' }>> = [];
  const v6: Array<Extract<Rule, { kind: 'v6' }>> = [];
  for (const [i, cidr] of cidrs.entries()) {
    const rule = parseRule(cidr);
    if (rule === null) {
      throw new KeywardError('VALIDATION', `allowedIps: invalid CIDR ${JSON.stringify(cidr)}`, {
        field: `allowedIps[${i}]`,
      });
    }
    if (rule.kind === 'v4') v4.push(rule);
    else v6.push(rule);
  }
  const matchV4 = (address: number): boolean => v4.some((r) => (address & r.mask) >>> 0 === r.net);

  return (ip: string): boolean => {
    const address4 = parseV4(ip);
    if (address4 !== null) return matchV4(address4);
    const address6 = parseV6(ip);
    if (address6 === null) return false;
    if (address6.isIPv4MappedAddress() && matchV4(mappedV4(address6))) return true;
    return v6.some((r) => address6.match(r.net, r.bits));
  };
}
