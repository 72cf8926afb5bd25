import { describe, expect, it } from 'vitest';
import { isCredentialName, REDACTED, redactedPath, redactSecrets } from './redact.js';

const KEY = 'amp_live_3kTq9fQ2abcdefghijklmnopqrstuvwxyz0123';
const ROOT = 'kwroot_3kTq9fQ2abcdefghijklmnopqrstuvwxyz0123';

describe('redactSecrets', () => {
  it('removes key-shaped strings anywhere, keeps ids and hints', () => {
    expect(redactSecrets(`key ${KEY} and "${ROOT}".`)).toBe(`key ${REDACTED} and "${REDACTED}".`);
    expect(redactSecrets('key_0Ot9Xq3mWk1Zc8Rb2Ld4Fh amp_live_Ab3x…9fQ2')).toBe(
      'key_0Ot9Xq3mWk1Zc8Rb2Ld4Fh amp_live_Ab3x…9fQ2',
    );
  });

  it('removes credential query parameters in URLs, whatever their value', () => {
    expect(redactSecrets('"url":"/hello?access_token=legacy.secret-value&page=2"')).toBe(
      `"url":"/hello?access_token=${REDACTED}&page=2"`,
    );
    for (const name of ['api_key', 'apiKey', 'token', 'session', 'portal_token', 'sig', 'code', 'X-Api-Key'])
      expect(redactSecrets(`/p?a=1&${name}=s3cr3t#f`)).toBe(`/p?a=1&${name}=${REDACTED}#f`);
    expect(redactSecrets('/p?page=2&sort=asc')).toBe('/p?page=2&sort=asc');
  });

  it('removes credential header values in JSON, strings and arrays alike', () => {
    const line = JSON.stringify({
      headers: {
        authorization: 'Bearer opaque',
        Cookie: 'kw_session=abc; other=1',
        'set-cookie': ['kw_session=abc; HttpOnly', 'x=1'],
        accept: 'application/json',
      },
    });
    const out = JSON.parse(redactSecrets(line));
    expect(out.headers).toEqual({
      authorization: REDACTED,
      Cookie: REDACTED,
      'set-cookie': REDACTED,
      accept: 'application/json',
    });
  });

  it('removes Bearer and Basic credentials in free text, and webhook secrets', () => {
    expect(redactSecrets('sent Authorization: Bearer abc.def-ghi= ok')).toBe(
      `sent Authorization: Bearer ${REDACTED} ok`,
    );
    expect(redactSecrets('Basic dXNlcjpwYXNz')).toBe(`Basic ${REDACTED}`);
    expect(redactSecrets('secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(`secret ${REDACTED}`);
  });

  it('removes long opaque runs (session and portal tokens), keeps ids and UUIDs', () => {
    const token = 'q3Zr8w-_Kp0XvL2mN9bT4yHc7uJd1sAe6fGiOk5lRnQ';
    expect(token).toHaveLength(43);
    expect(redactSecrets(`portal link ${token} redeemed`)).toBe(`portal link ${REDACTED} redeemed`);
    const kept = 'key_0Ot9Xq3mWk1Zc8Rb2Ld4Fh 3f1c2a9e-8b7d-4c6e-9a5f-0b1c2d3e4f5a';
    expect(redactSecrets(kept)).toBe(kept);
  });

  it('keeps a JSON line valid JSON', () => {
    const line = JSON.stringify({ msg: `x ${KEY}`, url: `/a?key=${KEY}&b="q"`, headers: { cookie: 'a"b' } });
    expect(() => JSON.parse(redactSecrets(line))).not.toThrow();
  });
});

describe('redactedPath and isCredentialName', () => {
  it('drops the query string and long opaque runs', () => {
    expect(redactedPath(`/v1/keys/${KEY}/roll?key=${KEY}`)).toBe(`/v1/keys/${REDACTED}/roll`);
    expect(redactedPath('/hello/world')).toBe('/hello/world');
  });

  it('names credentials', () => {
    expect(isCredentialName('Authorization')).toBe(true);
    expect(isCredentialName('access_token')).toBe(true);
    expect(isCredentialName('page')).toBe(false);
  });
});
