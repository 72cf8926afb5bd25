import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIdFactory, ID_BODY_LENGTH, ID_PREFIXES, idTime, newId } from './ids.js';

const zeros = (size: number) => new Uint8Array(size);
const ones = (size: number) => new Uint8Array(size).fill(0xff);

describe('newId', () => {
  it('has the type prefix and a fixed-width base62 body', () => {
    for (const prefix of ID_PREFIXES) {
      expect(newId(prefix)).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{${ID_BODY_LENGTH}}$`));
    }
  });

  it('encodes the timestamp in the leading bits (known answers)', () => {
    expect(createIdFactory({ now: () => 0, random: zeros })('key')).toBe('key_0000000000000000000000');
    // 2^128 - 1 in base62.
    expect(createIdFactory({ now: () => 2 ** 48 - 1, random: ones })('key')).toBe(
      'key_7n42DGM5Tflk9n8mt7Fhc7',
    );
    expect(idTime(createIdFactory({ now: () => 1_700_000_000_123 })('ws'))).toBe(1_700_000_000_123);
  });

  it('sorts by creation time across any sequence of clock readings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 47 }), { minLength: 2, maxLength: 50 }),
        (times) => {
          const sorted = [...times].sort((a, b) => a - b);
          let i = 0;
          const next = createIdFactory({ now: () => sorted[i++] as number });
          const ids = sorted.map(() => next('evt'));
          expect([...ids].sort()).toEqual(ids);
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
    );
  });

  it('stays strictly increasing within one millisecond and when the clock steps back', () => {
    const clock = [5_000, 5_000, 5_000, 4_000, 5_000, 6_000];
    let i = 0;
    const next = createIdFactory({ now: () => clock[i++] as number, random: ones });
    const ids = clock.map(() => next('req'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The random part overflowed (all ones), so the time moved on by one ms.
    expect(idTime(ids[1] as string)).toBe(5_001);
    expect(idTime(ids[5] as string)).toBe(6_000);
  });

  it('ids of the default generator differ and sort by creation', () => {
    const ids = Array.from({ length: 1000 }, () => newId('key'));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('idTime reads the last representable millisecond, and needs a prefix', () => {
    const last = 2 ** 48 - 1;
    const id = createIdFactory({ now: () => last })('key');
    expect(idTime(id)).toBe(last);
    expect(idTime(`_${id.slice(4)}`)).toBeNull();
  });

  it('idTime answers null for foreign strings', () => {
    expect(idTime('key_short')).toBeNull();
    expect(idTime('nounderscore0000000000000')).toBeNull();
    expect(idTime('key_000000000000000000000!')).toBeNull();
    expect(idTime('key_zzzzzzzzzzzzzzzzzzzzzz')).toBeNull();
  });
});
