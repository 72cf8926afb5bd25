import { describe, expect, it } from 'vitest';
import type { VerifyKeyResponse } from './schemas/verify.js';
import { fromVerifyResponse, toVerifyResponse } from './verify-response.js';
import type { VerifiedIdentity, VerifyResult } from './verify-result.js';

describe('the verify result and its wire answer', () => {
  const identity: VerifiedIdentity = {
    keyId: 'key_1',
    workspaceId: 'ws_1',
    apiId: 'api_1',
    consumer: { id: 'con_1', externalId: 'fleet-7', name: 'Fleet 7', meta: { tier: 'gold' } },
    name: 'depot',
    meta: { depot: 3 },
    permissions: ['sessions:read'],
    roles: ['reader'],
    expiresAt: 1_900_000_000_000,
    environment: 'live',
    parentKeyId: null,
  };
  const limits = [
    {
      name: 'minute',
      limit: 10,
      remaining: 0,
      reset: 1_800_000_060_000,
      resetAfterMs: 60_000,
      duration: 60_000,
      scope: 'key' as const,
    },
  ];
  const results: Array<[string, VerifyResult]> = [
    [
      'VALID',
      {
        valid: true,
        code: 'VALID',
        identity,
        ratelimits: limits,
        credits: { remaining: 4 },
        retryAfterMs: null,
      },
    ],
    [
      'RATE_LIMITED',
      { valid: false, code: 'RATE_LIMITED', identity, ratelimits: limits, credits: null, retryAfterMs: 250 },
    ],
    [
      'NOT_FOUND',
      { valid: false, code: 'NOT_FOUND', identity: null, ratelimits: [], credits: null, retryAfterMs: null },
    ],
    [
      'VALID with a rotation warning',
      {
        valid: true,
        code: 'VALID',
        identity,
        ratelimits: [],
        credits: null,
        retryAfterMs: null,
        warnings: [
          {
            code: 'ROTATION_DUE',
            message: 'rotate it',
            dueAt: 1_800_000_000_000,
            rotateBy: 1_900_000_000_000,
          },
        ],
      },
    ],
  ];

  it.each(results)('a %s result survives the trip over the wire unchanged', (_code, result) => {
    const wire = JSON.parse(JSON.stringify(toVerifyResponse(result))) as VerifyKeyResponse;
    expect(fromVerifyResponse(wire)).toEqual(result);
  });

  it('flattens the identity, and answers nulls and empty lists for an unknown key', () => {
    expect(toVerifyResponse(results[0]?.[1] as VerifyResult)).toMatchObject({
      keyId: 'key_1',
      workspaceId: 'ws_1',
      consumer: identity.consumer,
      environment: 'live',
      retryAfterMs: null,
    });
    expect(toVerifyResponse(results[2]?.[1] as VerifyResult)).toEqual({
      valid: false,
      code: 'NOT_FOUND',
      keyId: null,
      workspaceId: null,
      apiId: null,
      consumer: null,
      name: null,
      meta: null,
      permissions: [],
      roles: [],
      credits: null,
      ratelimits: [],
      expiresAt: null,
      environment: null,
      parentKeyId: null,
      retryAfterMs: null,
    });
  });

  it('refuses answers no keyward server gives', () => {
    const valid = toVerifyResponse(results[0]?.[1] as VerifyResult);
    expect(() => fromVerifyResponse({ ...valid, keyId: null })).toThrow(/only in part/);
    expect(() => fromVerifyResponse({ ...valid, valid: false })).toThrow(/valid=false with code VALID/);
    const unknown = toVerifyResponse(results[2]?.[1] as VerifyResult);
    expect(() => fromVerifyResponse({ ...unknown, valid: true, code: 'VALID' })).toThrow(
      /VALID without a key/,
    );
  });
});
