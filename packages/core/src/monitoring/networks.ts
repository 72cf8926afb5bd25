import ipaddr from 'ipaddr.js';

/**
 * The network an address belongs to for "never seen before" checks: its /24 for IPv4
 * (a typical customer or cloud subnet), its /48 for IPv6 (one site's allocation).
 * IPv4-mapped IPv6 addresses count as IPv4. null for anything that is not an address.
 *
 * @example networkOf('203.0.113.77') // '203.0.113.0/24'
 */
export function networkOf(ip: string): string | null {
  if (!ipaddr.isValid(ip)) return null;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  if (address.kind() === 'ipv4') {
    const [a, b, c] = (address as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const parts = (address as ipaddr.IPv6).parts;
  const prefix = new ipaddr.IPv6([parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, 0, 0, 0, 0, 0]);
  return `${prefix.toString()}/48`;
}
