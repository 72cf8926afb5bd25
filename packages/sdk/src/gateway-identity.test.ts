import { forwardRequestHeaders } from '@keyward/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GATEWAY_IDENTITY_HEADERS, gatewayIdentity } from './gateway-identity.js';
import type { KeywardIdentity } from './verification.js';

/** Characters that a header or a comma split could mangle. */
const TRICKY_CHARS = [',', ' ', '%', '/', '\t', '\0', '"', 'ü'];
const PERMISSION_CHARS = [...'abcxyzABZ059_.:*-'];

const identity = (over: Partial<KeywardIdentity> = {}): KeywardIdentity => ({
  keyId: 'key_0Ot9Xq3mWk1Zc8Rb2Ld4Fh',
  workspaceId: 'ws_0Ot9Xq3mWk1Zc8Rb2Ld4Fj',
  apiId: 'api_0Ot9Xq3mWk1Zc8Rb2Ld4Fk',
  environment: 'live',
  name: null,
  consumer: { id: 'con_0Ot9Xq3mWk1Zc8Rb2Ld4Fi', externalId: 'acme corp/ü, 100%', name: null, meta: null },
  permissions: ['stations:read', 'sessions:*'],
  roles: [],
  meta: null,
  expiresAt: null,
  ratelimits: [],
  credits: null,
  parentKeyId: null,
  ...over,
});

/** What the upstream receives from keyward's gateway for a caller. */
const forwarded = (caller: KeywardIdentity | null, client: Record<string, string> = {}) =>
  forwardRequestHeaders(
    { host: 'api.example', authorization: 'Bearer amp_live_x', ...client },
    {
      keyHeader: 'authorization',
      identity: caller,
      remoteAddress: '127.0.0.1',
      protocol: 'http',
      host: 'api',
    },
  );

const valid = {
  'x-keyward-key-id': 'key_1',
  'x-keyward-workspace-id': 'ws_1',
  'x-keyward-api-id': 'api_1',
  'x-keyward-environment': 'test',
  'x-keyward-consumer-id': 'con_1',
  'x-keyward-consumer-external-id': 'fleet%2042',
  'x-keyward-permissions': 'stations:read,sessions:write',
};

describe('gatewayIdentity', () => {
  it('reads every header the gateway writes, and the gateway writes every one it reads', () => {
    const child = identity({
      parentKeyId: 'key_0Ot9Xq3mWk1Zc8Rb2Ld4Fp',
      wouldDeny: [{ code: 'RATE_LIMITED' }],
    });
    const names = Object.keys(forwarded(child)).filter((name) => name.startsWith('x-keyward-'));
    expect(names.sort()).toEqual(Object.values(GATEWAY_IDENTITY_HEADERS).sort());
    expect(gatewayIdentity(forwarded(child))).toEqual(child);
    expect(forwarded(identity())).not.toHaveProperty(GATEWAY_IDENTITY_HEADERS.parentKeyId);
  });

  it('gives back what the gateway forwarded, external id decoded and permissions split', () => {
    const caller = identity();
    expect(gatewayIdentity(forwarded(caller))).toEqual(caller);
    const lone = identity({ consumer: null, permissions: [] });
    expect(gatewayIdentity(forwarded(lone))).toEqual(lone);
    // Dry-run rules that would have denied: their codes (the rules' names are not forwarded).
    const watched = identity({ wouldDeny: [{ code: 'FORBIDDEN_IP' }, { code: 'RATE_LIMITED' }] });
    expect(gatewayIdentity(forwarded(watched))).toEqual(watched);
    expect(gatewayIdentity({ ...valid, 'x-keyward-would-deny': 'RATE_LIMITED,<script>' })).toBeNull();
  });

  it('round-trips any external id and permission list the gateway forwards', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom(...TRICKY_CHARS),
            fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
          ),
          minLength: 1,
          maxLength: 64,
        }),
        fc.array(fc.string({ unit: fc.constantFrom(...PERMISSION_CHARS), minLength: 1, maxLength: 40 }), {
          maxLength: 8,
        }),
        (externalId, permissions) => {
          const caller = identity({
            consumer: { id: 'con_1', externalId, name: null, meta: null },
            permissions,
          });
          expect(gatewayIdentity(forwarded(caller))).toEqual(caller);
        },
      ),
    );
  });

  it('is null without the gateway: no key id, or a public route', () => {
    expect(gatewayIdentity({})).toBeNull();
    expect(gatewayIdentity(forwarded(null))).toBeNull();
    const { 'x-keyward-key-id': _, ...rest } = valid;
    expect(gatewayIdentity(rest)).toBeNull();
  });

  it('ignores identity headers a client sent through the gateway (it strips them)', () => {
    expect(
      gatewayIdentity(forwarded(null, { 'x-keyward-key-id': 'key_forged', 'x-keyward-permissions': '*' })),
    ).toBeNull();
  });

  it.each([
    ['an empty key id', { 'x-keyward-key-id': '' }],
    ['a key id with spaces', { 'x-keyward-key-id': 'key 1' }],
    ['two key ids joined by Node', { 'x-keyward-key-id': 'key_1, key_2' }],
    ['an over-long key id', { 'x-keyward-key-id': `key_${'a'.repeat(61)}` }],
    ['no workspace id', { 'x-keyward-workspace-id': undefined }],
    ['no API id', { 'x-keyward-api-id': undefined }],
    ['an unknown environment', { 'x-keyward-environment': 'staging' }],
    ['no environment', { 'x-keyward-environment': undefined }],
    ['a malformed percent-encoding', { 'x-keyward-consumer-external-id': 'fleet%2' }],
    ['an external id that is not percent-encoded', { 'x-keyward-consumer-external-id': 'fleet 42' }],
    ['invalid UTF-8 in the external id', { 'x-keyward-consumer-external-id': '%C3' }],
    ['a consumer id without its external id', { 'x-keyward-consumer-external-id': undefined }],
    ['an external id without its consumer id', { 'x-keyward-consumer-id': undefined }],
    ['no permissions header', { 'x-keyward-permissions': undefined }],
    ['an empty permission', { 'x-keyward-permissions': 'stations:read,,sessions:write' }],
    ['two permission headers joined by Node', { 'x-keyward-permissions': 'a:read, b:read' }],
  ])('is null for %s', (_, change) => {
    expect(gatewayIdentity({ ...valid, ...change })).toBeNull();
  });

  it.each([
    'x-keyward-key-id',
    'x-keyward-workspace-id',
    'x-keyward-api-id',
    'x-keyward-environment',
    'x-keyward-consumer-id',
    'x-keyward-consumer-external-id',
    'x-keyward-permissions',
  ])('is null when %s arrives twice (an array)', (name) => {
    const value = valid[name as keyof typeof valid];
    expect(gatewayIdentity({ ...valid, [name]: [value, value] })).toBeNull();
  });

  it('accepts the valid headers the cases above start from', () => {
    expect(gatewayIdentity(valid)).toEqual(
      identity({
        keyId: 'key_1',
        workspaceId: 'ws_1',
        apiId: 'api_1',
        environment: 'test',
        consumer: { id: 'con_1', externalId: 'fleet 42', name: null, meta: null },
        permissions: ['stations:read', 'sessions:write'],
      }),
    );
  });
});
