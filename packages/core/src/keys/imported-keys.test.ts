import { describe, expect, it } from 'vitest';
import { createImportedFlag, isPlausibleForeignKey } from './imported-keys.js';

describe('isPlausibleForeignKey', () => {
  it('accepts RFC 7235 token68 strings of 16-512 characters', () => {
    for (const value of [
      'sk_live_51HxYzAbCdEf',
      'a.b-c~d+e/f_0123456789==',
      'x'.repeat(512),
      'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
    ]) {
      expect(isPlausibleForeignKey(value)).toBe(true);
    }
  });

  it('rejects everything else', () => {
    const rejected = [
      'x'.repeat(15),
      'x'.repeat(513),
      'has a space inside it',
      'tab\tinside_the_key_',
      'ünïcödé_0123456789',
      '=abcdefghijklmnopq',
      'abcdefghijklmnop=q',
      'abc,defghijklmnopq',
    ];
    for (const value of rejected) expect(isPlausibleForeignKey(value)).toBe(false);
    expect(isPlausibleForeignKey(undefined as unknown as string)).toBe(false);
  });
});

describe('createImportedFlag', () => {
  it('asks once for concurrent callers, then answers from memory', async () => {
    let asked = 0;
    const flag = createImportedFlag(async () => {
      asked++;
      return false;
    });
    expect(flag.known()).toBeUndefined();
    await expect(Promise.all([flag.load(), flag.load()])).resolves.toEqual([false, false]);
    expect(flag.known()).toBe(false);
    expect(asked).toBe(1);
  });

  it('forgets a false on any key message and anything on an all message', async () => {
    let answer = false;
    const flag = createImportedFlag(async () => answer);
    await flag.load();
    flag.onInvalidation({ type: 'consumer', consumerId: 'con_1' });
    expect(flag.known()).toBe(false);
    flag.onInvalidation({ type: 'key', keyId: 'key_1', digests: [] });
    expect(flag.known()).toBeUndefined();
    answer = true;
    await flag.load();
    flag.onInvalidation({ type: 'key', keyId: 'key_1', digests: [] });
    expect(flag.known()).toBe(true);
    answer = false;
    flag.onInvalidation({ type: 'all' });
    expect(flag.known()).toBeUndefined();
    await expect(flag.load()).resolves.toBe(false);
  });

  it('keeps no answer from a query that a message overtook', async () => {
    let finish: (value: boolean) => void = () => {};
    const flag = createImportedFlag(() => new Promise<boolean>((resolve) => (finish = resolve)));
    const pending = flag.load();
    flag.onInvalidation({ type: 'all' });
    finish(false);
    await expect(pending).resolves.toBe(false);
    expect(flag.known()).toBeUndefined();
  });

  it('caches no failure, even a synchronous one', async () => {
    let fail = true;
    const flag = createImportedFlag(() => {
      if (fail) throw new Error('db down');
      return Promise.resolve(true);
    });
    await expect(flag.load()).rejects.toThrow('db down');
    fail = false;
    await expect(flag.load()).resolves.toBe(true);
  });
});
