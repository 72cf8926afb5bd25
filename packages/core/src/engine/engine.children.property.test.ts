import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKeywardError } from '../contracts/errors.js';
import type { RateLimitConfig } from '../contracts/model.js';
import { permissionMatches } from '../decisions/permissions.js';
import { newId } from '../keys/ids.js';
import { generateKey, keyHint } from '../keys/key-format.js';
import { type ChildKeyRequest, mintChildKey } from './child-keys.js';
import { createHarness, T0 } from './engine.fixtures.js';

/**
 * A child key can never be more powerful than its parent: for random parents (permissions with
 * wildcards, limits, IP lists, credits, expiry) and random mint requests, minting is refused or
 * yields a child whose permissions and expiry lie within the parent's, and for every random
 * verification (permission, address, time) a VALID child means the parent passes the same
 * checks, while the child's traffic never gets past the parent's rate limit or balance.
 */

const SEGMENTS = ['sessions', 'chargers', 'read', 'write', '*'];
const permission = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join(':'));
const ADDRESSES = ['10.0.0.1', '10.1.2.3', '192.168.1.1', '172.16.0.9'];
const CIDRS = ['10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16', '10.0.0.1/32'];

const parentArb = fc.record({
  permissions: fc.array(permission, { maxLength: 4 }),
  limit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
  credits: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
  allowedIps: fc.subarray(CIDRS, { maxLength: 2 }),
  expiresInMs: fc.option(fc.integer({ min: 1000, max: 7_200_000 }), { nil: null }),
});
const childArb = fc.record({
  /** A number picks one of the parent's permissions (most requests ask for those), a string any. */
  permissions: fc.array(fc.oneof(fc.nat(), fc.nat(), permission), { maxLength: 3 }),
  expiresIn: fc.integer({ min: 0, max: 4000 }),
  allowedIps: fc.subarray(CIDRS, { maxLength: 2 }),
  ownLimit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
});
const requestArb = fc.record({
  permission: fc.option(
    permission.filter((p) => !p.split(':').includes('*')),
    { nil: undefined },
  ),
  ip: fc.constantFrom(...ADDRESSES),
  advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_500_000 })),
});

const window = (name: string, limit: number): RateLimitConfig => ({
  name,
  limit,
  duration: 86_400_000,
  algorithm: 'sliding_window',
});

describe('child keys (property)', () => {
  it('a child key is never more powerful than its parent', async () => {
    await fc.assert(
      fc.asyncProperty(
        parentArb,
        childArb,
        fc.array(requestArb, { minLength: 1, maxLength: 10 }),
        async (p, c, requests) => {
          const h = await createHarness();
          try {
            const parent = await h.issue({
              permissions: p.permissions,
              ratelimits: p.limit === null ? [] : [window('default', p.limit)],
              credits: p.credits === null ? null : { refill: null },
              allowedIps: p.allowedIps,
              expiresAt: p.expiresInMs === null ? null : T0 + p.expiresInMs,
            });
            if (p.credits !== null) {
              await h.store.credits.set(
                { kind: 'key', id: parent.record.id },
                p.credits,
                { refill: null },
                T0,
              );
            }
            const request: ChildKeyRequest = {
              permissions: c.permissions.map((pick) =>
                typeof pick === 'string'
                  ? pick
                  : (p.permissions[pick % (p.permissions.length || 1)] ?? 'sessions'),
              ),
              expiresIn: c.expiresIn,
              allowedIps: c.allowedIps,
              ratelimits: c.ownLimit === null ? [] : [window('own', c.ownLimit)],
            };
            const plaintext = generateKey(h.api.prefix);
            const secret = { id: newId('key'), digest: h.engine.digest(plaintext), hint: keyHint(plaintext) };
            let child: ReturnType<typeof mintChildKey>;
            try {
              child = mintChildKey(
                parent.record,
                p.permissions,
                { enabled: true, maxExpiresInSeconds: 3600, maxDepth: 1 },
                request,
                secret,
                h.clock.now,
              );
            } catch (error) {
              // Refused: only with the stable validation error, never anything else.
              expect(isKeywardError(error) && error.code === 'VALIDATION').toBe(true);
              return;
            }
            await h.store.keys.create(child);

            // Statically within the parent: every permission covered, expiry no later.
            for (const granted of child.permissions) {
              expect(p.permissions.some((mine) => permissionMatches(mine, granted))).toBe(true);
            }
            if (parent.record.expiresAt !== null) {
              expect(child.expiresAt ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(
                parent.record.expiresAt,
              );
            }

            let admitted = 0;
            for (const r of requests) {
              h.clock.now += r.advanceMs;
              const options = {
                ip: r.ip,
                ...(r.permission === undefined ? {} : { permissions: r.permission }),
              };
              const result = await h.engine.verifyKey(plaintext, options);
              if (!result.valid) continue;
              admitted++;
              // The parent passes the same request (counting nothing: the child already counted).
              const asParent = await h.engine.verifyKey(parent.key, {
                ...options,
                ratelimits: [],
                credits: { cost: 0 },
              });
              expect(asParent.code).toBe('VALID');
            }
            if (p.limit !== null) expect(admitted).toBeLessThanOrEqual(p.limit);
            if (p.credits !== null) {
              expect(admitted).toBeLessThanOrEqual(p.credits);
              const left = await h.store.credits.get({ kind: 'key', id: parent.record.id }, h.clock.now);
              expect(left).toBe(p.credits - admitted);
            }
          } finally {
            await h.close();
          }
        },
      ),
      { numRuns: 80 },
    );
  }, 120_000);
});
