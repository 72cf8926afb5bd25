import { describe, expect, it } from 'vitest';
import { type Answer, answerFor, isValidRealm, type Outcome, quotedString, scopeOf } from './answers.js';
import type {
  DenialCode,
  RateLimitState,
  VerifiedIdentity,
  VerifyDenied,
  VerifyValid,
} from './verification.js';

const NOW = 1_700_000_000_000;
const ctx = { realm: 'charging', now: NOW };

const identity: VerifiedIdentity = {
  keyId: 'key_1',
  workspaceId: 'ws_1',
  apiId: 'api_1',
  name: null,
  consumer: null,
  permissions: ['stations:read'],
  roles: [],
  meta: null,
  expiresAt: null,
  environment: 'live',
  parentKeyId: null,
};

const valid = (ratelimits: RateLimitState[] = []): VerifyValid => ({
  valid: true,
  code: 'VALID',
  identity,
  ratelimits,
  credits: null,
  retryAfterMs: null,
});

const denied = (code: DenialCode, extra: Partial<VerifyDenied> = {}): Outcome => ({
  kind: 'verified',
  verification: { valid: false, code, identity, ratelimits: [], credits: null, retryAfterMs: null, ...extra },
  permissions: 'sessions:write AND (stations:read OR admin)',
});

const refused = (answer: Answer) => {
  if (answer.allow) throw new Error('expected a denial');
  return answer;
};

describe('answerFor', () => {
  it('admits a key due for rotation with Deprecation (RFC 9745) and Sunset (RFC 8594) headers', () => {
    const dueAt = Date.UTC(2030, 0, 1);
    const rotateBy = Date.UTC(2030, 0, 15, 12);
    const verification: VerifyValid = {
      ...valid(),
      warnings: [{ code: 'ROTATION_DUE', message: 'rotate it', dueAt, rotateBy }],
    };
    const a = answerFor({ kind: 'verified', verification }, ctx);
    expect(a.allow).toBe(true);
    expect(a.headers).toEqual({
      deprecation: `@${dueAt / 1000}`,
      sunset: 'Tue, 15 Jan 2030 12:00:00 GMT',
    });
    expect(answerFor({ kind: 'verified', verification: valid() }, ctx).headers).toEqual({});
  });

  it('answers no credentials with a bare challenge (no error code)', () => {
    const a = refused(answerFor({ kind: 'missing' }, ctx));
    expect(a.status).toBe(401);
    expect(a.headers['www-authenticate']).toBe('Bearer realm="charging"');
    expect(a.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(a.body).toMatchObject({
      type: 'urn:keyward:problem:unauthorized',
      status: 401,
      title: 'Unauthorized',
      code: 'UNAUTHORIZED',
    });
    expect(a.body.error).toBeUndefined();
  });

  it('makes malformed, unknown, revoked, expired and disabled keys indistinguishable', () => {
    const outcomes: Outcome[] = [
      { kind: 'malformed' },
      ...(['NOT_FOUND', 'REVOKED', 'EXPIRED', 'DISABLED'] as const).map((c) => denied(c)),
    ];
    const answers = outcomes.map((o) => refused(answerFor(o, ctx)));
    for (const a of answers) {
      expect(a).toEqual(answers[0]);
      expect(a.status).toBe(401);
      expect(a.headers['www-authenticate']).toBe('Bearer realm="charging", error="invalid_token"');
    }
  });

  it('names the required permissions in an insufficient_scope challenge', () => {
    const a = refused(answerFor(denied('INSUFFICIENT_PERMISSIONS'), ctx));
    expect(a.status).toBe(403);
    expect(a.headers['www-authenticate']).toBe(
      'Bearer realm="charging", error="insufficient_scope", scope="sessions:write stations:read admin"',
    );
    expect(a.body).toMatchObject({ error: 'insufficient_scope', code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it('answers a forbidden address 403 without a Bearer challenge', () => {
    const a = refused(answerFor(denied('FORBIDDEN_IP'), ctx));
    expect(a.status).toBe(403);
    expect(a.headers['www-authenticate']).toBeUndefined();
    expect(a.body.code).toBe('FORBIDDEN_IP');
  });

  it('answers a rate limit 429 with Retry-After and both RateLimit fields', () => {
    const ratelimits: RateLimitState[] = [
      {
        name: 'per-day',
        limit: 1000,
        remaining: 900,
        reset: NOW + 3_600_000,
        resetAfterMs: 3_600_000,
        duration: 86_400_000,
        scope: 'consumer',
      },
      {
        name: 'per-minute',
        limit: 10,
        remaining: 0,
        reset: NOW + 42_500,
        resetAfterMs: 42_500,
        duration: 60_000,
        scope: 'key',
      },
    ];
    const a = refused(answerFor(denied('RATE_LIMITED', { ratelimits, retryAfterMs: 1500 }), ctx));
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe('2');
    expect(a.headers['ratelimit-policy']).toBe('"per-minute";q=10;w=60, "per-day";q=1000;w=86400');
    expect(a.headers.ratelimit).toBe('"per-minute";r=0;t=43, "per-day";r=900;t=3600');
  });

  it('derives Retry-After from the exhausted limits when the verifier gave none, never below 1', () => {
    const ratelimits: RateLimitState[] = [
      {
        name: 'm',
        limit: 1,
        remaining: 0,
        reset: NOW + 7_200,
        resetAfterMs: 7_200,
        duration: 10_000,
        scope: 'key',
      },
    ];
    expect(refused(answerFor(denied('RATE_LIMITED', { ratelimits }), ctx)).headers['retry-after']).toBe('8');
    expect(refused(answerFor(denied('RATE_LIMITED', { retryAfterMs: 0 }), ctx)).headers['retry-after']).toBe(
      '1',
    );
  });

  it('answers exhausted credits 429, with Retry-After only when a refill is due', () => {
    const none = refused(answerFor(denied('USAGE_EXCEEDED', { credits: { remaining: 0 } }), ctx));
    expect(none.status).toBe(429);
    expect(none.headers['retry-after']).toBeUndefined();
    expect(none.body.code).toBe('USAGE_EXCEEDED');
    const refill = refused(answerFor(denied('USAGE_EXCEEDED', { retryAfterMs: 60_000 }), ctx));
    expect(refill.headers['retry-after']).toBe('60');
  });

  it('answers a token in the query and duplicate headers 400 invalid_request', () => {
    for (const kind of ['query_token', 'duplicate'] as const) {
      const a = refused(answerFor({ kind }, ctx));
      expect(a.status).toBe(400);
      expect(a.headers['www-authenticate']).toBe('Bearer realm="charging", error="invalid_request"');
      expect(a.body.error).toBe('invalid_request');
    }
  });

  it('answers a throttled address 429 and a failed verifier 503', () => {
    const throttled = refused(answerFor({ kind: 'throttled', retryAfterMs: 30_001 }, ctx));
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('31');
    expect(refused(answerFor({ kind: 'unavailable' }, ctx)).status).toBe(503);
    expect(refused(answerFor({ kind: 'unavailable' }, ctx)).headers['retry-after']).toBe('1');
  });

  it('lets a valid key through with the RateLimit fields for the response', () => {
    const ratelimits: RateLimitState[] = [
      {
        name: 'per-minute',
        limit: 10,
        remaining: 9,
        reset: NOW + 60_000,
        resetAfterMs: 60_000,
        duration: 60_000,
        scope: 'key',
      },
    ];
    const a = answerFor({ kind: 'verified', verification: valid(ratelimits) }, ctx);
    expect(a).toEqual({
      allow: true,
      identity: { ...identity, ratelimits, credits: null },
      headers: { 'ratelimit-policy': '"per-minute";q=10;w=60', ratelimit: '"per-minute";r=9;t=60' },
    });
    const plain = answerFor({ kind: 'verified', verification: valid() }, ctx);
    expect(plain.headers).toEqual({});
  });

  it('names the request, and writes its texts for the header that carries the key', () => {
    const at = { ...ctx, target: '/stations?page=2', requestId: 'req-7', keyHeader: 'x-api-key' };
    expect(refused(answerFor({ kind: 'missing' }, at)).body).toEqual({
      type: 'urn:keyward:problem:unauthorized',
      title: 'Unauthorized',
      status: 401,
      code: 'UNAUTHORIZED',
      detail: 'This API needs a key: send X-Api-Key: <key>.',
      instance: '/stations',
      requestId: 'req-7',
    });
    expect(refused(answerFor({ kind: 'duplicate' }, at)).body.detail).toBe(
      'Send exactly one X-Api-Key header.',
    );
    expect(refused(answerFor({ kind: 'query_token' }, ctx)).body.detail).toBe(
      'Send the key in the Authorization header, never in the URL.',
    );
  });

  it('escapes the realm as a quoted-string', () => {
    const a = refused(answerFor({ kind: 'missing' }, { realm: 'a "b" \\c', now: NOW }));
    expect(a.headers['www-authenticate']).toBe('Bearer realm="a \\"b\\" \\\\c"');
  });
});

describe('helpers', () => {
  it('quotes strings per RFC 9110', () => {
    expect(quotedString('x')).toBe('"x"');
    expect(quotedString('"\\')).toBe('"\\"\\\\"');
  });

  it('accepts only printable ASCII realms', () => {
    expect(isValidRealm('charging api')).toBe(true);
    expect(isValidRealm('a\r\nb')).toBe(false);
    expect(isValidRealm('caf\u00e9')).toBe(false);
  });

  it('lists the permissions a query names, once each', () => {
    expect(scopeOf('a AND (b OR a) or c and (d)')).toBe('a b c d');
    expect(scopeOf('sessions:*')).toBe('sessions:*');
  });
});
