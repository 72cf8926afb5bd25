import { describe, expect, it } from 'vitest';
import { takeLinkToken } from './link-token.js';

const TOKEN = 'A'.repeat(20) + '_-b'.repeat(7) + 'z'.repeat(2);

function fakeWindow(url: string) {
  const current = new URL(url);
  const replaced: string[] = [];
  const location = {
    get hash() {
      return current.hash;
    },
    get pathname() {
      return current.pathname;
    },
    get search() {
      return current.search;
    },
  } as Location;
  const history = {
    replaceState: (_state: unknown, _title: string, next: string) => {
      replaced.push(next);
      current.hash = '';
    },
  } as unknown as History;
  return { location, history, replaced };
}

describe('takeLinkToken', () => {
  it('takes the token from the fragment and removes it from the address bar', () => {
    const w = fakeWindow(`https://keys.example/portal/#token=${TOKEN}`);
    expect(takeLinkToken(w.location, w.history)).toBe(TOKEN);
    expect(w.replaced).toEqual(['/portal/']);
    expect(takeLinkToken(w.location, w.history)).toBeNull();
  });

  it('keeps the query string, and leaves a URL without a token alone', () => {
    const w = fakeWindow(`https://keys.example/portal/?lang=de#token=${TOKEN}`);
    expect(takeLinkToken(w.location, w.history)).toBe(TOKEN);
    expect(w.replaced).toEqual(['/portal/?lang=de']);
    const plain = fakeWindow('https://keys.example/portal/#section');
    expect(takeLinkToken(plain.location, plain.history)).toBeNull();
    expect(plain.replaced).toEqual([]);
  });
});
