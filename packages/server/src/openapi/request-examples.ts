/**
 * One example request body per operation that takes a body, by `operationId`: what the
 * docs page pre-fills and what generated clients show. Ids are placeholders of the right
 * shape; a test validates each example against its operation's schema, so an example
 * cannot drift from what the server accepts.
 */
export const REQUEST_EXAMPLES: Readonly<Record<string, unknown>> = Object.freeze({
  createApi: { name: 'Charging API', prefix: 'amp_live' },
  updateApi: { name: 'Charging API (EU)' },
  replaceLifetimePolicy: {
    maxTtlDays: 365,
    rotateAfterDays: 90,
    rotationGraceDays: 14,
    idleDisableAfterDays: 60,
    remindBeforeDays: 7,
    mode: 'enforce',
  },

  createConsumer: {
    externalId: 'cust_8421',
    name: 'ACME Fleet',
    meta: { plan: 'pro' },
    ratelimits: [{ name: 'requests', limit: 1000, duration: 60_000 }],
  },
  updateConsumer: { name: 'ACME Fleet GmbH', meta: { plan: 'enterprise' } },

  createKey: {
    apiId: 'api_2Vb7Qm9Lx4Rt8Kc1Nz6Hd3',
    externalId: 'cust_8421',
    name: 'fleet backend',
    permissions: ['sessions:read', 'chargers:*'],
    ratelimits: [{ name: 'requests', limit: 100, duration: 60_000 }],
    credits: { remaining: 10_000, refill: { interval: 'monthly', amount: 10_000, day: 1 } },
    expiresAt: 1_893_456_000_000,
  },
  updateKey: { name: 'fleet backend (rotated)', permissions: ['sessions:read'], enabled: true },
  rollKey: { gracePeriodMs: 3_600_000 },
  extendKeyGrace: { extendBySeconds: 86_400 },
  mintChildKey: {
    permissions: ['sessions:read'],
    expiresIn: 900,
    name: 'nightly export',
    ratelimits: [{ name: 'requests', limit: 10, duration: 60_000 }],
  },
  replaceChildKeyPolicy: { enabled: true, maxExpiresInSeconds: 3600, maxDepth: 1 },
  attachKeyRoles: { roles: ['reader'] },
  verifyKey: {
    key: 'amp_live_3kTqZ0fX9aB4cD7eF1gH2iJ5kL8mN0pQ6rS9tU2vW',
    apiId: 'api_2Vb7Qm9Lx4Rt8Kc1Nz6Hd3',
    permissions: 'sessions:read',
    ip: '203.0.113.7',
    tags: ['GET /sessions'],
    client: {
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
      origin: 'https://app.example.com',
      secFetchSite: 'cross-site',
      secFetchMode: 'cors',
    },
  },
  reportLeakedKeys: {
    keys: [
      {
        key: 'amp_live_3kTqZ0fX9aB4cD7eF1gH2iJ5kL8mN0pQ6rS9tU2vW',
        url: 'https://github.com/acme/fleet-app/blob/main/.env',
        source: 'gitleaks',
      },
    ],
  },
  receiveGithubSecretScanning: [
    {
      token: 'amp_live_3kTqZ0fX9aB4cD7eF1gH2iJ5kL8mN0pQ6rS9tU2vW',
      type: 'keyward_api_key',
      url: 'https://github.com/acme/fleet-app/blob/0f3c2a1/.env',
      source: 'content',
    },
  ],
  importKeys: {
    apiId: 'api_2Vb7Qm9Lx4Rt8Kc1Nz6Hd3',
    keys: [
      { plaintext: 'legacy_4f2a9c8e7d6b5a4f3e2d1c0b', externalId: 'cust_8421', name: 'legacy key' },
      {
        sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        hint: '…a08',
        permissions: ['sessions:read'],
      },
    ],
  },

  createRole: {
    name: 'reader',
    description: 'Read-only access',
    permissions: ['sessions:read', 'chargers:read'],
  },
  updateRole: { permissions: ['sessions:read', 'chargers:read', 'tariffs:read'] },

  createRootKey: { name: 'ci deploys', permissions: ['keys:write'] },

  replaceMonitoringPolicy: {
    trafficSpike: { enabled: true, sigma: 4 },
    bruteForce: { enabled: true, minInvalid: 50 },
    quarantine: ['ip_spread'],
  },

  createWebhook: {
    url: 'https://example.com/hooks/keyward',
    events: ['key.revoked', 'alert.raised'],
    description: 'security alerts',
  },
  updateWebhook: { enabled: false },

  createPortalSession: { externalId: 'cust_8421', returnUrl: 'https://example.com/account', expiresIn: 3600 },
  replacePortalPolicy: {
    enabled: true,
    allowCreate: true,
    allowRoll: true,
    allowRevoke: true,
    permissions: ['sessions:read', 'chargers:read'],
    ratelimits: [{ name: 'requests', limit: 100, duration: 60_000 }],
    maxKeysPerConsumer: 5,
  },
  replacePublishablePolicy: {
    publicPermissions: ['stations:read'],
    allowedOrigins: ['https://app.example.com', 'https://*.example.com'],
  },
  replacePortalBranding: {
    name: 'ACME Charging',
    logoUrl: 'https://example.com/logo.svg',
    accentColor: '#0a7d4f',
    apiBaseUrl: 'https://api.example.com',
  },
  signIn: { rootKey: 'kwroot_3kTqZ0fX9aB4cD7eF1gH2iJ5kL8mN0pQ6rS9tU2vW' },
  openPortalSession: { token: 'pt_6c1f0e9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e' },
  createPortalKey: {
    apiId: 'api_2Vb7Qm9Lx4Rt8Kc1Nz6Hd3',
    name: 'nightly jobs',
    permissions: ['sessions:read'],
  },
  rollPortalKey: { gracePeriodMs: 3_600_000 },
});
