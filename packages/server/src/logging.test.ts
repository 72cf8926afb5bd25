import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAppLogger, loggablePath, requestIdOf } from './logging.js';

/** A destination that keeps what the logger wrote. */
const capture = () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
};

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

describe('createAppLogger formats', () => {
  const secret = 'kwroot_3kTq9fQ2abcdefghijklmnopqrstuvwxyz0123';

  it('writes JSON lines by default', () => {
    const out = capture();
    createAppLogger({ destination: out.stream }).info({ rootKey: secret }, 'hello');
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'hello', rootKey: '[redacted]', service: 'keyward' });
  });

  it('writes readable lines with format pretty, redacted the same, request lines in one phrase', () => {
    const out = capture();
    const logger = createAppLogger({ destination: out.stream, format: 'pretty' });
    logger.info({ rootKey: secret, headers: { authorization: `Bearer ${secret}` } }, 'hello');
    logger.info({ method: 'GET', path: '/v1/keys', status: 200, ms: 3, route: '/v1/keys' }, 'request');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello \{"rootKey":"\[redacted\]","headers":\{"authorization":"\[redacted\]"\}\}$/,
    );
    expect(lines[1]).toMatch(/^\[[\d:.]+\] INFO: GET \/v1\/keys → 200 \(3 ms\) \{"route":"\/v1\/keys"\}$/);
    expect(out.text()).not.toContain(secret);
    expect(out.text()).not.toContain('\u001b['); // no colours unless asked
  });
});
