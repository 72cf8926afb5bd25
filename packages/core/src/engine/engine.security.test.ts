import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateKey } from '../keys/key-format.js';
import { callCount, createHarness, type Harness } from './engine.fixtures.js';
import { createEngine } from './engine.js';

// Counts every use of the engine's cache and digester, on top of the store calls the harness counts.
const used = vi.hoisted(() => ({ cache: 0, digest: 0 }));
vi.mock('./key-cache.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./key-cache.js')>();
  return {
    ...original,
    createKeyCache: (...args: Parameters<typeof original.createKeyCache>) => {
      const cache = original.createKeyCache(...args);
      return new Proxy(cache, {
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop);
          if (typeof value !== 'function' || prop === 'invalidate') return value;
          return (...a: unknown[]) => {
            used.cache++;
            return (value as (...x: unknown[]) => unknown).apply(target, a);
          };
        },
      });
    },
  };
});
vi.mock('../keys/digest.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../keys/digest.js')>();
  return {
    ...original,
    createDigester: (...args: Parameters<typeof original.createDigester>) => {
      const digester = original.createDigester(...args);
      return {
        ...digester,
        digest: (key: string) => {
          used.digest++;
          return digester.digest(key);
        },
      };
    },
  };
});

let h: Harness;
beforeEach(() => {
  used.cache = 0;
  used.digest = 0;
});
afterEach(async () => {
  await h.close();
});

/** Single-character mutations of a real key: all fail the checksum. */
const mutatedKey = fc
  .tuple(
    fc.nat(),
    fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'),
    fc.nat(3),
  )
  .map(([at, char, kind]) => {
    const key = generateKey('amp_live');
    const i = at % key.length;
    if (kind === 0)
      return key.slice(0, i) + (key[i] === char ? (char === 'a' ? 'b' : 'a') : char) + key.slice(i + 1);
    if (kind === 1) return key.slice(0, i) + key.slice(i + 1);
    if (kind === 2) return key.slice(0, i) + char + key.slice(i);
    return `${key.slice(0, -1)}${key.at(-1) === 'x' ? 'y' : 'x'}`;
  });

const garbage = fc.oneof(
  mutatedKey,
  fc.string({ maxLength: 600 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', ' ', 'Bearer x', 'a'.repeat(100_000), 'amp_live_'.padEnd(46, '\u0000'), 'null'),
);

describe('verifyKey: a malformed key', () => {
  it('never reaches the digest, the cache or the store', async () => {
    h = await createHarness();
    const { key } = await h.issue();
    await h.engine.verifyKey(key);
    const baseline = { calls: h.calls.length, cache: used.cache, digest: used.digest };
    await fc.assert(
      fc.asyncProperty(garbage, async (value) => {
        await expect(h.engine.verifyKey(value)).resolves.toMatchObject({
          valid: false,
          code: 'NOT_FOUND',
          identity: null,
        });
      }),
      { numRuns: 1000 },
    );
    // The engine asked once, at start, whether imported keys exist; nothing about any string.
    expect(h.calls.slice(baseline.calls)).toEqual([]);
    expect(callCount(h.calls, 'keys.hasImported')).toBe(1);
    expect(used.cache).toBe(baseline.cache);
    expect(used.digest).toBe(baseline.digest);
  });

  it('is the same answer as an unknown key, and throws nothing', async () => {
    h = await createHarness();
    const unknown = await h.engine.verifyKey(generateKey('amp_live'));
    await expect(h.engine.verifyKey('amp_live_garbage')).resolves.toEqual(unknown);
    await expect(h.engine.verifyKey(undefined as unknown as string)).resolves.toEqual(unknown);
    await expect(h.engine.verifyKey(42 as unknown as string)).resolves.toEqual(unknown);
  });

  it('rejects a malformed permission query before any lookup, naming the position', async () => {
    h = await createHarness();
    const { key } = await h.issue();
    const before = { calls: h.calls.length, cache: used.cache };
    for (const value of [key, 'garbage']) {
      await expect(h.engine.verifyKey(value, { permissions: 'a AND (b OR' })).rejects.toMatchObject({
        code: 'VALIDATION',
        field: 'permissions',
        message: expect.stringMatching(/position \d+/),
      });
    }
    await expect(h.engine.verifyKey(key, { ratelimits: [{ name: 'x', cost: -1 }] })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'ratelimits[0].cost',
    });
    await expect(h.engine.verifyKey(key, { credits: { cost: 1.5 } })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'credits.cost',
    });
    expect(h.calls.length).toBe(before.calls);
    expect(used.cache).toBe(before.cache);
  });
});

describe('verifyKey: imported keys', () => {
  it('looks up a foreign-format key only once imported keys exist', async () => {
    h = await createHarness();
    const foreign = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
    await expect(h.engine.verifyKey(foreign)).resolves.toMatchObject({ code: 'NOT_FOUND' });
    expect(callCount(h.calls, 'keys.findByDigest')).toBe(0);
    const { record } = await h.issue({ imported: true, digest: h.engine.digest(foreign), hint: '…178B4a' });
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests: [record.digest] });
    await expect(h.engine.verifyKey(foreign)).resolves.toMatchObject({
      code: 'VALID',
      identity: { keyId: record.id },
    });
    // Still never looked up: strings no foreign key can be (bad characters, too short or too long).
    const lookups = callCount(h.calls, 'keys.findByDigest');
    for (const value of [
      'short_but_ok',
      'has space in it somewhere',
      `${'a'.repeat(513)}`,
      'ünïcödé_kéy_12345678',
      '=abcdefghijklmnopq',
    ]) {
      await expect(h.engine.verifyKey(value)).resolves.toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(callCount(h.calls, 'keys.findByDigest')).toBe(lookups);
    // A plausible foreign string is looked up (and then cached as absent).
    await h.engine.verifyKey('sk_live_0123456789abcdef==');
    await h.engine.verifyKey('sk_live_0123456789abcdef==');
    expect(callCount(h.calls, 'keys.findByDigest')).toBe(lookups + 1);
  });

  it('imported keys issued before the engine started are found', async () => {
    h = await createHarness();
    const foreign = 'legacy-key.0123456789~abcdef+/==';
    const { record } = await h.issue({ imported: true, digest: h.engine.digest(foreign) });
    const fresh = createEngine({ store: h.store });
    await expect(fresh.verifyKey(foreign)).resolves.toMatchObject({
      code: 'VALID',
      identity: { keyId: record.id },
    });
    await fresh.close();
  });
});

describe('verifyKey: pepper', () => {
  it('looks keys up by their peppered digest', async () => {
    h = await createHarness({ pepper: 'server-side-secret' });
    const { key, record } = await h.issue();
    expect(record.digest).not.toBe(createEngine({ store: h.store }).digest(key));
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
    const unpeppered = createEngine({ store: h.store });
    await expect(unpeppered.verifyKey(key)).resolves.toMatchObject({ code: 'NOT_FOUND' });
    await unpeppered.close();
  });
});
