import { describe, expect, it } from 'vitest';
import { clientHintsFrom } from './client-hints.js';

const from = (headers: Record<string, string | string[]>) => clientHintsFrom((name) => headers[name]);

describe('clientHintsFrom', () => {
  it('reads User-Agent, Origin and Sec-Fetch-Site/Mode', () => {
    expect(
      from({
        'user-agent': 'Mozilla/5.0',
        origin: 'https://app.example.com',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'cors',
        authorization: 'Bearer amp_live_secret',
      }),
    ).toEqual({
      userAgent: 'Mozilla/5.0',
      origin: 'https://app.example.com',
      secFetchSite: 'cross-site',
      secFetchMode: 'cors',
    });
  });

  it('is undefined without any, and leaves out empty or oversized values', () => {
    expect(from({})).toBeUndefined();
    expect(from({ origin: '', 'sec-fetch-site': 'x'.repeat(33) })).toBeUndefined();
    expect(from({ origin: `https://${'a'.repeat(600)}.test`, 'sec-fetch-mode': 'cors' })).toEqual({
      secFetchMode: 'cors',
    });
  });

  it('truncates the user agent to 256 characters and takes the first of repeated headers', () => {
    expect(from({ 'user-agent': 'u'.repeat(300), origin: ['https://a.test', 'https://b.test'] })).toEqual({
      userAgent: 'u'.repeat(256),
      origin: 'https://a.test',
    });
  });
});
