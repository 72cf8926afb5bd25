import type { ClientHints } from '@keyward/protocol';
import { describe, expect, it } from 'vitest';
import { compileOriginAllowList, looksLikeBrowser, publicIntersection } from './client-origin.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('looksLikeBrowser', () => {
  const table: Array<[string, ClientHints | undefined, boolean]> = [
    ['no hints', undefined, false],
    ['curl', { userAgent: 'curl/8.5.0' }, false],
    // Node's fetch (undici) sends `sec-fetch-mode: cors` and nothing else of the browser set.
    ['Node fetch (undici)', { userAgent: 'node', secFetchMode: 'cors' }, false],
    ['a browser user agent alone (server script posing)', { userAgent: FIREFOX }, false],
    ['Sec-Fetch-Site same-origin', { secFetchSite: 'same-origin', secFetchMode: 'cors' }, true],
    ['Sec-Fetch-Site cross-site', { secFetchSite: 'cross-site', userAgent: FIREFOX }, true],
    ['Sec-Fetch-Site none', { secFetchSite: 'none' }, true],
    ['an Origin without Sec-Fetch (older browser)', { origin: 'https://app.example.com' }, true],
    ['Origin null (sandboxed frame, file: page)', { origin: 'null' }, true],
    ['empty values', { origin: ' ', secFetchSite: '' }, false],
  ];
  it.each(table)('%s → %s', (_name, hints, browser) => {
    expect(looksLikeBrowser(hints)).toBe(browser);
  });
});

describe('compileOriginAllowList', () => {
  const allowed = compileOriginAllowList([
    'https://app.example.com',
    'http://localhost:5173',
    'https://*.shop.example',
  ]);
  it.each([
    ['https://app.example.com', true],
    ['HTTPS://APP.EXAMPLE.COM', true],
    ['http://app.example.com', false],
    ['https://app.example.com:8443', false],
    ['https://app.example.com.evil.test', false],
    ['http://localhost:5173', true],
    ['http://localhost:5174', false],
    ['https://eu.shop.example', true],
    ['https://a.b.shop.example', true],
    ['https://shop.example', false],
    ['https://evilshop.example', false],
    ['http://eu.shop.example', false],
    ['null', false],
    ['', false],
  ])('%s → %s', (origin, expected) => {
    expect(allowed(origin)).toBe(expected);
  });

  it('admits nothing with an empty list', () => {
    expect(compileOriginAllowList([])('https://app.example.com')).toBe(false);
  });
});

describe('publicIntersection', () => {
  it.each([
    [['stations:read', 'sessions:write'], ['stations:read'], ['stations:read']],
    [['stations:*'], ['stations:read'], ['stations:read']],
    [['stations:read'], ['stations:*'], ['stations:read']],
    [['*'], ['stations:read', 'maps:read'], ['stations:read', 'maps:read']],
    [['sessions:write'], ['stations:read'], []],
    [['stations:read'], [], []],
  ])('own %j ∩ public %j = %j', (own, pub, expected) => {
    expect(publicIntersection(own, pub)).toEqual(expected);
  });
});
