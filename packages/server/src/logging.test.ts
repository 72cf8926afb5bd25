import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loggablePath, requestIdOf } from './logging.js';

const withHeader = (value: string | undefined) =>
  ({ headers: { 'x-request-id': value } }) as unknown as IncomingMessage;

describe('loggablePath', () => {
  it('drops the query string and long opaque runs, keeps ids', () => {
    const key = 'amp_live_3kTq9fQ2abcdefghijklmnopqrstuvwxyz0123';
    expect(loggablePath(`/v1/keys?key=${key}`)).toBe('/v1/keys');
    expect(loggablePath(`/v1/keys/${key}/roll`)).toBe('/v1/keys/[redacted]/roll');
    expect(loggablePath('/v1/keys/key_0Ot9Xq3mWk1Zc8Rb2Ld4Fh')).toBe('/v1/keys/key_0Ot9Xq3mWk1Zc8Rb2Ld4Fh');
  });
});

describe('requestIdOf', () => {
  it('keeps a sane X-Request-Id and replaces anything else with a UUID', () => {
    expect(requestIdOf(withHeader('req-1:a.b'))).toBe('req-1:a.b');
    for (const bad of [
      undefined,
      '',
      'x'.repeat(65),
      'has space',
      'kwroot_3kTq9fQ2abcdefghijklmnopqrstuvwxyz0123',
    ]) {
      expect(requestIdOf(withHeader(bad))).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
  });
});
