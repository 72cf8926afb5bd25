import ipaddr from 'ipaddr.js';
import { KeywardError } from './errors.js';

export interface FailureThrottleOptions {
  /** Invalid keys from one client within `windowMs` that trigger a block. Default 20. */
  maxFailures?: number;
  /** Length of the fixed window failures are counted in, ms. Default 60_000. */
  windowMs?: number;
  /** How long a client stays blocked, ms. Default 300_000. */
  blockMs?: number;
  /**
   * Most clients tracked at once; past it the least recently failing client is forgotten
   * (bounded memory under a spray of addresses). Default 100_000.
   */
  maxTracked?: number;
}

export interface FailureThrottle {
  /** Ms left of the client's block; 0 when it is not blocked. Call BEFORE computing a digest. */
  blocked(ip: string, now: number): number;
  /** Records an invalid key (unknown, malformed, bad checksum) from the client. */
  fail(ip: string, now: number): void;
  /** Records a valid key from the client: forgets its failures (not an active block). */
  succeed(ip: string): void;
}

interface Entry {
  windowStart: number;
  failures: number;
  /** Epoch ms; 0 = never blocked in this entry. */
  blockedUntil: number;
}

/**
 * Clients are IPv4 addresses and IPv6 /64 networks (one host usually owns a whole /64, so a
 * per-address count would be trivial to dodge); an IPv4-mapped address counts as its IPv4
 * address; an unparsable string counts as itself (cut to 64 characters).
 */
const clientOf = (ip: string): string => {
  if (!ip.includes(':')) return ip.length > 64 ? ip.slice(0, 64) : ip;
  if (!ipaddr.IPv6.isValid(ip)) return ip.slice(0, 64);
  const address = ipaddr.IPv6.parse(ip);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  return `${address.parts
    .slice(0, 4)
    .map((p) => p.toString(16))
    .join(':')}::/64`;
};

const positive = (value: number, field: string): number => {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new KeywardError('VALIDATION', `${field} must be a positive integer`, { field });
  }
  return value;
};

/**
 * Throttles brute force: a client that presents `maxFailures` invalid keys within
 * `windowMs` is blocked for `blockMs`, and the caller answers 429 with `Retry-After`
 * without computing a digest or touching a store. Only invalid keys count, so one client's
 * failures never spend another key's quota or block other clients. Every call is O(1);
 * memory is bounded by `maxTracked`. A block ends on its own; the next failure then starts
 * a fresh count.
 *
 * `succeed` clears a client's count so a user who mistyped once is not punished later. A
 * client holding one valid key could interleave it to keep resetting its count; with ~178
 * bits per key guessing stays hopeless, and the throttle exists to shed floods of garbage.
 *
 * @example
 * const throttle = createFailureThrottle({ maxFailures: 10 });
 * const wait = throttle.blocked(ip, Date.now()); // > 0: answer 429, Retry-After: ceil(wait / 1000)
 */
export function createFailureThrottle(options: FailureThrottleOptions = {}): FailureThrottle {
  const maxFailures = positive(options.maxFailures ?? 20, 'maxFailures');
  const windowMs = positive(options.windowMs ?? 60_000, 'windowMs');
  const blockMs = positive(options.blockMs ?? 300_000, 'blockMs');
  const maxTracked = positive(options.maxTracked ?? 100_000, 'maxTracked');
  // Insertion order = order of last failure, so the first entry is the stalest.
  const entries = new Map<string, Entry>();

  const stale = (e: Entry, now: number): boolean => e.blockedUntil <= now && now - e.windowStart >= windowMs;

  return {
    blocked(ip, now) {
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
      if (!first.done && (entries.size > maxTracked || stale(first.value[1], now)))
        entries.delete(first.value[0]);
    },

    succeed(ip) {
      const client = clientOf(ip);
      if (entries.get(client)?.blockedUntil === 0) entries.delete(client);
    },
  };
}
