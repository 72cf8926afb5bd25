/**
 * Brute-force throttling at the middleware: a client that presents `maxFailures` invalid
 * keys (malformed or unknown) within `windowMs` is blocked for `blockMs`. While blocked,
 * malformed strings and keys of a foreign format (imported keys, which may be weak) are
 * answered 429 before they cost a digest, a lookup or a network call; keyward-format keys
 * are still verified, so a valid key always passes (an address can be shared by many
 * clients: NAT, a proxy without trust-proxy) and an unknown one is answered 429. Guessing
 * a keyward key (~178 random bits) is hopeless at any rate, so this makes brute force no
 * cheaper. Only invalid keys count, so one client's failures never spend another key's
 * limits or credits. A valid key clears the client's count (not an active block), so a
 * user who mistyped once is not punished later.
 *
 * The one throttle of keyward: the middleware, the gateway and the server's root-key and
 * verify routes all use it. It lives in the SDK because remote mode must not load the engine.
 */

export interface FailureThrottleOptions {
  /** Invalid keys from one client within `windowMs` that trigger a block. Default 20. */
  maxFailures?: number;
  /** Length of the fixed window failures are counted in, ms. Default 60_000. */
  windowMs?: number;
  /** How long a client stays blocked, ms. Default 300_000. */
  blockMs?: number;
  /** Most clients tracked at once; the least recently failing is forgotten first. Default 100_000. */
  maxTracked?: number;
}

export interface FailureThrottle {
  /** Ms left of the client's block; 0 when it is not blocked. Call before any digest or lookup: a blocked client gets keyward-format keys looked up only. */
  blocked(ip: string, now: number): number;
  /** Records an invalid key (malformed or unknown) from the client. */
  fail(ip: string, now: number): void;
  /** Records a valid key from the client: forgets its failures (not an active block). */
  succeed(ip: string): void;
}

interface Entry {
  windowStart: number;
  failures: number;
  /** Epoch ms; 0 = not blocked in this entry. */
  blockedUntil: number;
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail counts as two), or null. */
function ipv6Groups(ip: string): number[] | null {
  const zone = ip.indexOf('%');
  const halves = (zone === -1 ? ip : ip.slice(0, zone)).toLowerCase().split('::');
  if (halves.length > 2) return null;
  const parse = (half: string | undefined): number[] | null => {
    if (half === undefined || half === '') return [];
    const groups: number[] = [];
    const parts = half.split(':');
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes('.')) {
        const octets = part.split('.').map(Number);
        if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return null;
        const [a = 0, b = 0, c = 0, d = 0] = octets;
        groups.push(a * 256 + b, c * 256 + d);
      } else if (HEX_GROUP.test(part)) groups.push(Number.parseInt(part, 16));
      else return null;
    }
    return groups;
  };
  // `::a.b.c.d` (the deprecated IPv4-compatible form) counts as IPv4-mapped, as ipaddr.js reads it.
  if (
    halves.length === 2 &&
    halves[0] === '' &&
    halves[1]?.includes('.') === true &&
    !halves[1].includes(':')
  ) {
    halves[1] = `ffff:${halves[1]}`;
  }
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  if (head === null || tail === null) return null;
  const gap = 8 - head.length - tail.length;
  if (halves.length === 1 ? gap !== 0 : gap < 1) return null;
  return [...head, ...new Array<number>(halves.length === 1 ? 0 : gap).fill(0), ...tail];
}

/**
 * The client an address counts for: an IPv4 address, an IPv4-mapped address as its IPv4
 * address, an IPv6 address by its /64 (one host usually owns a whole /64, so a
 * per-address count would be trivial to dodge); an unparsable string as itself (cut to 64).
 */
export function clientOf(ip: string): string {
  if (!ip.includes(':')) return ip.length > 64 ? ip.slice(0, 64) : ip;
  const groups = ipv6Groups(ip);
  if (groups === null) return ip.slice(0, 64);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

const positive = (value: number, field: string): number => {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`failure throttle: ${field} must be a positive integer`);
  return value;
};

/**
 * @example
 * const throttle = createFailureThrottle({ maxFailures: 10 });
 * app.use(keyward({ verifier, throttle })); // one throttle for every route
 */
export function createFailureThrottle(options: FailureThrottleOptions = {}): FailureThrottle {
  const maxFailures = positive(options.maxFailures ?? 20, 'maxFailures');
  const windowMs = positive(options.windowMs ?? 60_000, 'windowMs');
  const blockMs = positive(options.blockMs ?? 300_000, 'blockMs');
  const maxTracked = positive(options.maxTracked ?? 100_000, 'maxTracked');
  // Insertion order = order of the last failure: the first entry is the stalest.
  const entries = new Map<string, Entry>();
  const stale = (e: Entry, now: number): boolean => e.blockedUntil <= now && now - e.windowStart >= windowMs;

  return {
    blocked(ip, now) {
      // Nothing tracked (the usual case): no need to work out the client.
      if (entries.size === 0) return 0;
      const client = clientOf(ip);
      const e = entries.get(client);
      if (e === undefined) return 0;
      if (e.blockedUntil > now) return e.blockedUntil - now;
      if (stale(e, now)) entries.delete(client);
      return 0;
    },
    fail(ip, now) {
      const client = clientOf(ip);
      let e = entries.get(client);
      if (e !== undefined && e.blockedUntil > now) return;
      if (e === undefined || e.blockedUntil !== 0 || now - e.windowStart >= windowMs) {
        e = { windowStart: now, failures: 0, blockedUntil: 0 };
      }
      e.failures += 1;
      if (e.failures >= maxFailures) e.blockedUntil = now + blockMs;
      entries.delete(client);
      entries.set(client, e);
      const first = entries.entries().next();
      if (first.done !== true && (entries.size > maxTracked || stale(first.value[1], now))) {
        entries.delete(first.value[0]);
      }
    },
    succeed(ip) {
      if (entries.size === 0) return;
      const client = clientOf(ip);
      if (entries.get(client)?.blockedUntil === 0) entries.delete(client);
    },
  };
}
