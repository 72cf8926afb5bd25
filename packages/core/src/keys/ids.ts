import { randomBytes } from 'node:crypto';
import { BASE62_ALPHABET, type RandomSource } from './key-format.js';

/** Type prefixes of keyward ids (`key_…`, `ws_…`). */
export const ID_PREFIXES = [
  'ws',
  'api',
  'con',
  'key',
  'rk',
  'role',
  'evt',
  'req',
  'wh',
  'alert',
  'msg',
  'dlv',
  'ses',
  'pses',
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

/** Characters after `<prefix>_`: 128 bits (48-bit ms timestamp + 80 random bits) in base62. */
export const ID_BODY_LENGTH = 22;

const RANDOM_BITS = 80n;
const RANDOM_SPACE = 1n << RANDOM_BITS;
const MAX_TIME = 2 ** 48 - 1;

export interface IdFactoryOptions {
  /** Clock in epoch ms; default `Date.now`. */
  now?: () => number;
  /** Random bytes; default `crypto.randomBytes`. */
  random?: RandomSource;
}

const toBigInt = (bytes: Uint8Array): bigint => {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return n;
};

function encode(value: bigint): string {
  let out = '';
  let n = value;
  for (let i = 0; i < ID_BODY_LENGTH; i++) {
    out = BASE62_ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

/**
 * A generator of time-sortable ids: `<prefix>_<22 base62>`, fixed width, so that string
 * order is creation order (cursor pagination relies on it). Ids from one generator are
 * strictly increasing even within one millisecond or when the clock steps back: the
 * random part then grows by a random step instead of being drawn afresh (as ULID's
 * monotonic mode), so the next id stays unguessable.
 */
export function createIdFactory(options: IdFactoryOptions = {}): (prefix: IdPrefix) => string {
  const { now = Date.now, random = randomBytes } = options;
  let lastTime = -1;
  let lastRandom = 0n;
  return (prefix) => {
    let time = Math.min(Math.max(Math.floor(now()), 0), MAX_TIME);
    let rand: bigint;
    if (time > lastTime) {
      rand = toBigInt(random(10));
    } else {
      time = lastTime;
      rand = lastRandom + 1n + toBigInt(random(4));
      if (rand >= RANDOM_SPACE) {
        time += 1;
        rand = toBigInt(random(10)) >> 1n;
      }
    }
    lastTime = time;
    lastRandom = rand;
    return `${prefix}_${encode((BigInt(time) << RANDOM_BITS) | rand)}`;
  };
}

/**
 * A new id for a record type, sortable by creation time.
 *
 * @example newId('key') // 'key_0Ot9Xq3mWk1Zc8Rb2Ld4Fh'
 */
export const newId: (prefix: IdPrefix) => string = createIdFactory();

/** Epoch ms encoded in an id (for debugging and cursor bounds); null when `id` is not a keyward id. */
export function idTime(id: string): number | null {
  const body = id.slice(id.indexOf('_') + 1);
  if (body.length !== ID_BODY_LENGTH || id.indexOf('_') < 1) return null;
  let n = 0n;
  for (const char of body) {
    const digit = BASE62_ALPHABET.indexOf(char);
    if (digit < 0) return null;
    n = n * 62n + BigInt(digit);
  }
  const time = n >> RANDOM_BITS;
  return time > BigInt(MAX_TIME) ? null : Number(time);
}
