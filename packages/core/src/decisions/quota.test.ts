import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreditsConfig } from '../contracts/model.js';
import { applyRefill, nextRefillAt } from './quota.js';

const daily = (amount: number): CreditsConfig => ({ refill: { interval: 'daily', amount } });
const monthly = (amount: number, day?: number): CreditsConfig => ({
  refill: day === undefined ? { interval: 'monthly', amount } : { interval: 'monthly', amount, day },
});
const every = (ms: number, amount: number): CreditsConfig => ({ refill: { interval: ms, amount } });
const utc = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min);

describe('applyRefill', () => {
  it('leaves the balance alone without a refill config', () => {
    expect(applyRefill(null, 7, 0, 1e12)).toEqual({ balance: 7, lastRefillAt: 0 });
    expect(applyRefill({ refill: null }, 7, 0, 1e12)).toEqual({ balance: 7, lastRefillAt: 0 });
  });

  it('refills daily at 00:00 UTC, setting (not adding) the amount', () => {
    const last = utc(2024, 3, 10, 15);
    expect(applyRefill(daily(100), 40, last, utc(2024, 3, 10, 23, 59))).toEqual({
      balance: 40,
      lastRefillAt: last,
    });
    expect(applyRefill(daily(100), 40, last, utc(2024, 3, 11))).toEqual({
      balance: 100,
      lastRefillAt: utc(2024, 3, 11),
    });
    expect(applyRefill(daily(100), 250, last, utc(2024, 3, 11, 1))).toEqual({
      balance: 100,
      lastRefillAt: utc(2024, 3, 11),
    });
  });

  it('collapses several missed refills into one', () => {
    expect(applyRefill(daily(100), 0, utc(2024, 3, 1), utc(2024, 3, 20, 12))).toEqual({
      balance: 100,
      lastRefillAt: utc(2024, 3, 20),
    });
    expect(applyRefill(every(1000, 5), 0, 500, 10_499)).toEqual({ balance: 5, lastRefillAt: 9500 });
  });

  it('refills monthly on the given day, clamped to short months', () => {
    const config = monthly(1000, 31);
    expect(applyRefill(config, 3, utc(2024, 1, 31), utc(2024, 2, 28, 23))).toEqual({
      balance: 3,
      lastRefillAt: utc(2024, 1, 31),
    });
    expect(applyRefill(config, 3, utc(2024, 1, 31), utc(2024, 2, 29, 8))).toEqual({
      balance: 1000,
      lastRefillAt: utc(2024, 2, 29),
    });
    expect(applyRefill(config, 3, utc(2023, 1, 31), utc(2023, 2, 28))).toEqual({
      balance: 1000,
      lastRefillAt: utc(2023, 2, 28),
    });
    expect(applyRefill(monthly(9), 1, utc(2024, 12, 1), utc(2025, 1, 1))).toEqual({
      balance: 9,
      lastRefillAt: utc(2025, 1, 1),
    });
  });

  it('refills every N ms from lastRefillAt', () => {
    expect(applyRefill(every(3_600_000, 50), 1, 1000, 3_600_999)).toEqual({ balance: 1, lastRefillAt: 1000 });
    expect(applyRefill(every(3_600_000, 50), 1, 1000, 3_601_000)).toEqual({
      balance: 50,
      lastRefillAt: 3_601_000,
    });
  });

  it('rejects a non-positive interval', () => {
    for (const interval of [0, -5, 1.5]) {
      expect(() => applyRefill(every(interval, 1), 1, 0, 1)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          field: 'credits.refill.interval',
          message: 'credits refill interval must be a positive integer (ms)',
        }),
      );
    }
  });
});

describe('nextRefillAt', () => {
  it('answers the first instant after lastRefillAt', () => {
    expect(nextRefillAt(null, 0)).toBeNull();
    expect(nextRefillAt({ refill: null }, 0)).toBeNull();
    expect(nextRefillAt(daily(1), utc(2024, 2, 28, 9))).toBe(utc(2024, 2, 29));
    expect(nextRefillAt(daily(1), utc(2024, 2, 28))).toBe(utc(2024, 2, 29));
    expect(nextRefillAt(monthly(1), utc(2024, 12, 15))).toBe(utc(2025, 1, 1));
    expect(nextRefillAt(monthly(1, 30), utc(2024, 1, 30))).toBe(utc(2024, 2, 29));
    expect(nextRefillAt(monthly(1, 30), utc(2024, 2, 29))).toBe(utc(2024, 3, 30));
    expect(nextRefillAt(every(60_000, 1), 5)).toBe(60_005);
  });
});

// ---- properties ----

const configArb: fc.Arbitrary<CreditsConfig> = fc.oneof(
  fc.integer({ min: 0, max: 1000 }).map(daily),
  fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 31 })).map(([a, d]) => monthly(a, d)),
  fc
    .tuple(fc.integer({ min: 1, max: 10 * 86_400_000 }), fc.integer({ min: 0, max: 1000 }))
    .map(([ms, a]) => every(ms, a)),
);
const timeArb = fc.integer({ min: utc(2000, 1, 1), max: utc(2100, 1, 1) });
const spanArb = fc.integer({ min: 0, max: 400 * 86_400_000 });

describe('quota properties', () => {
  it('a refill is due exactly when nextRefillAt has passed, and leaves none due', () => {
    fc.assert(
      fc.property(configArb, fc.nat(10_000), timeArb, spanArb, (config, balance, last, span) => {
        const now = last + span;
        const next = nextRefillAt(config, last) as number;
        expect(next).toBeGreaterThan(last);
        const r = applyRefill(config, balance, last, now);
        if (next > now) {
          expect(r).toEqual({ balance, lastRefillAt: last });
        } else {
          expect(r.balance).toBe(config.refill?.amount);
          expect(r.lastRefillAt).toBeGreaterThanOrEqual(next);
          expect(r.lastRefillAt).toBeLessThanOrEqual(now);
          expect(nextRefillAt(config, r.lastRefillAt)).toBeGreaterThan(now);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('is idempotent and the same whether applied once or at an intermediate time too', () => {
    fc.assert(
      fc.property(configArb, fc.nat(10_000), timeArb, spanArb, spanArb, (config, balance, last, a, b) => {
        const mid = last + a;
        const end = mid + b;
        const direct = applyRefill(config, balance, last, end);
        const first = applyRefill(config, balance, last, mid);
        const stepped = applyRefill(config, first.balance, first.lastRefillAt, end);
        expect(stepped.lastRefillAt).toBe(direct.lastRefillAt);
        expect(stepped.balance).toBe(direct.balance);
        expect(applyRefill(config, direct.balance, direct.lastRefillAt, end)).toEqual(direct);
      }),
      { numRuns: 5000 },
    );
  });

  it('calendar refills land at 00:00 UTC on the scheduled day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 31 }), timeArb, (day, last) => {
        const next = nextRefillAt(monthly(1, day), last) as number;
        const date = new Date(next);
        const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
        expect(date.getUTCDate()).toBe(Math.min(day, lastDay));
        expect(next % 86_400_000).toBe(0);
        expect(next - last).toBeLessThanOrEqual(31 * 86_400_000);
        expect((nextRefillAt(daily(1), last) as number) % 86_400_000).toBe(0);
      }),
      { numRuns: 5000 },
    );
  });
});
