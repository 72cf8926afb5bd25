import * as zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, the zlib/PNG polynomial) lookup table. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * Portable CRC-32 of the UTF-8 bytes of `data` (or of the bytes given), as an unsigned
 * 32-bit integer. Used where `zlib.crc32` is missing (Node < 20.15).
 *
 * @example crc32Portable('123456789') // 0xcbf43926
 */
export function crc32Portable(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 of `value.slice(0, end)` for a string known to be ASCII, without allocating
 * (no slice, no UTF-8 buffer): the key checksum check on the verification hot path.
 * Measured ~2x faster than `zlib.crc32(value.slice(0, end))` on a 40-character key.
 */
export function crc32Ascii(value: string, end: number): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) crc = (TABLE[(crc ^ value.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// zlib.crc32 arrived in Node 20.15; `engines` allows 20.11, so probe at load.
const native: ((data: string | Uint8Array) => number) | undefined =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

/**
 * CRC-32 of the UTF-8 bytes of `data` as an unsigned 32-bit integer: native
 * `zlib.crc32` when the runtime has it, else the portable table implementation.
 *
 * @example crc32('The quick brown fox jumps over the lazy dog') // 0x414fa339
 */
export const crc32: (data: string | Uint8Array) => number = native ?? crc32Portable;
