import { describe, expect, it } from 'vitest';
import { newId } from '../keys/ids.js';
import type { DashboardSession, PortalSession, PortalToken } from './session-model.js';
import type { SessionStores } from './session-stores.js';
import { newSessionToken, tokenDigest } from './session-token.js';

const T0 = Date.UTC(2030, 0, 1);
const MINUTE = 60_000;

/** A backend under test: fresh, migrated stores, and a way to read every stored value back. */
export interface SessionBackend {
  stores: SessionStores;
  /** Every cell of the session tables as text, to prove no plaintext token was stored. */
  allCells(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const dashboardSession = (overrides: Partial<DashboardSession> = {}): DashboardSession => ({
  id: newId('ses'),
  digest: tokenDigest(newSessionToken()),
  workspaceId: 'ws_a',
  rootKeyId: 'rk_a',
  rootKeyDigest: 'd'.repeat(64),
  ip: '127.0.0.1',
  createdAt: T0,
  lastSeenAt: T0,
  expiresAt: T0 + 60 * MINUTE,
  endedAt: null,
  endReason: null,
  ...overrides,
});

const portalToken = (token: string, overrides: Partial<PortalToken> = {}): PortalToken => ({
  digest: tokenDigest(token),
  workspaceId: 'ws_a',
  consumerId: 'con_a',
  returnUrl: 'https://provider.example/account',
  sessionTtlMs: 60 * MINUTE,
  createdBy: 'rk_a',
  createdAt: T0,
  expiresAt: T0 + 5 * MINUTE,
  usedAt: null,
  ...overrides,
});

const portalSession = (overrides: Partial<PortalSession> = {}): PortalSession => ({
  id: newId('pses'),
  digest: tokenDigest(newSessionToken()),
  workspaceId: 'ws_a',
  consumerId: 'con_a',
  returnUrl: null,
  createdAt: T0,
  expiresAt: T0 + 60 * MINUTE,
  endedAt: null,
  ...overrides,
});

/** The contract of `SessionStores`, run on every dialect (see `session-stores.test.ts`). */
export function sessionStoreConformance(name: string, open: () => Promise<SessionBackend>): void {
  const withBackend = (run: (backend: SessionBackend) => Promise<void>) => async () => {
    const backend = await open();
    try {
      await run(backend);
    } finally {
      await backend.cleanup();
    }
  };

  describe(`session stores on ${name}`, () => {
    it(
      'dashboard sessions: found by digest, touched forward only, ended once',
      withBackend(async ({ stores }) => {
        const session = dashboardSession();
        await stores.dashboard.create(session);
        expect(await stores.dashboard.findByDigest(session.digest)).toEqual(session);
        expect(await stores.dashboard.findByDigest('0'.repeat(64))).toBeNull();

        await stores.dashboard.touch(session.id, T0 + 5 * MINUTE);
        await stores.dashboard.touch(session.id, T0 + MINUTE);
        expect((await stores.dashboard.findByDigest(session.digest))?.lastSeenAt).toBe(T0 + 5 * MINUTE);

        expect(await stores.dashboard.end(session.id, T0 + 6 * MINUTE, 'sign-out')).toBe(true);
        expect(await stores.dashboard.end(session.id, T0 + 7 * MINUTE, 'expired')).toBe(false);
        expect(await stores.dashboard.end('ses_unknown', T0, 'sign-out')).toBe(false);
        const ended = await stores.dashboard.findByDigest(session.digest);
        expect(ended).toMatchObject({ endedAt: T0 + 6 * MINUTE, endReason: 'sign-out' });
      }),
    );

    it(
      'dashboard sessions: prune deletes expired and ended ones only',
      withBackend(async ({ stores }) => {
        const live = dashboardSession({ expiresAt: T0 + 60 * MINUTE });
        const expired = dashboardSession({ expiresAt: T0 + MINUTE });
        const ended = dashboardSession({ endedAt: T0, endReason: 'sign-out' });
        for (const s of [live, expired, ended]) await stores.dashboard.create(s);
        expect(await stores.dashboard.prune(T0 + 2 * MINUTE)).toBe(2);
        expect(await stores.dashboard.findByDigest(live.digest)).not.toBeNull();
        expect(await stores.dashboard.findByDigest(expired.digest)).toBeNull();
        expect(await stores.dashboard.findByDigest(ended.digest)).toBeNull();
      }),
    );

    it(
      'portal tokens: redeemed once, never after expiry, never when unknown',
      withBackend(async ({ stores }) => {
        const plaintext = newSessionToken();
        const token = portalToken(plaintext);
        await stores.portal.createToken(token);
        const late = portalToken(newSessionToken());
        await stores.portal.createToken(late);

        expect(await stores.portal.redeemToken(late.digest, late.expiresAt)).toBeNull();
        expect(await stores.portal.redeemToken(tokenDigest('unknown'), T0)).toBeNull();
        const redeemed = await stores.portal.redeemToken(token.digest, T0 + MINUTE);
        expect(redeemed).toEqual({ ...token, usedAt: T0 + MINUTE });
        expect(await stores.portal.redeemToken(token.digest, T0 + MINUTE)).toBeNull();
      }),
    );

    it(
      'portal tokens: of concurrent redeems exactly one wins',
      withBackend(async ({ stores }) => {
        const token = portalToken(newSessionToken());
        await stores.portal.createToken(token);
        const results = await Promise.all(
          Array.from({ length: 8 }, () => stores.portal.redeemToken(token.digest, T0 + MINUTE)),
        );
        expect(results.filter((r) => r !== null)).toHaveLength(1);
      }),
    );

    it(
      'portal sessions: found by digest, ended once, pruned with expired tokens',
      withBackend(async ({ stores }) => {
        const session = portalSession();
        await stores.portal.createSession(session);
        expect(await stores.portal.findSession(session.digest)).toEqual(session);
        expect(await stores.portal.endSession(session.id, T0 + MINUTE)).toBe(true);
        expect(await stores.portal.endSession(session.id, T0 + 2 * MINUTE)).toBe(false);
        expect((await stores.portal.findSession(session.digest))?.endedAt).toBe(T0 + MINUTE);

        await stores.portal.createToken(portalToken(newSessionToken()));
        const live = portalSession({ expiresAt: T0 + 600 * MINUTE });
        await stores.portal.createSession(live);
        expect(await stores.portal.prune(T0 + 100 * MINUTE)).toBe(2);
        expect(await stores.portal.findSession(live.digest)).not.toBeNull();
      }),
    );

    it(
      'no plaintext token is stored anywhere',
      withBackend(async ({ stores, allCells }) => {
        const dashboardToken = newSessionToken();
        const linkToken = newSessionToken();
        const portalCookie = newSessionToken();
        await stores.dashboard.create(dashboardSession({ digest: tokenDigest(dashboardToken) }));
        await stores.portal.createToken(portalToken(linkToken));
        await stores.portal.createSession(portalSession({ digest: tokenDigest(portalCookie) }));
        const cells = (await allCells()).join('\n');
        for (const secret of [dashboardToken, linkToken, portalCookie]) expect(cells).not.toContain(secret);
        expect(cells).toContain(tokenDigest(linkToken));
      }),
    );

    it(
      'portal policies: default hidden, saved per API and workspace, replaced, deleted',
      withBackend(async ({ stores }) => {
        const settings = stores.portalSettings;
        expect(await settings.getPolicy('ws_a', 'api_1')).toMatchObject({ enabled: false, apiId: 'api_1' });
        const saved = await settings.putPolicy(
          'ws_a',
          'api_1',
          {
            enabled: true,
            allowCreate: true,
            allowRoll: true,
            allowRevoke: false,
            permissions: ['sessions:read'],
            ratelimits: [{ name: 'requests', limit: 10, duration: 1000, algorithm: 'sliding_window' }],
            credits: { remaining: 100, refill: { interval: 'monthly', amount: 100, day: 1 } },
            maxKeysPerConsumer: 3,
          },
          T0,
        );
        expect(await settings.getPolicy('ws_a', 'api_1')).toEqual(saved);
        expect((await settings.getPolicy('ws_b', 'api_1')).enabled).toBe(false);
        expect(await settings.listPolicies('ws_a')).toEqual([saved]);
        expect(await settings.listPolicies('ws_b')).toEqual([]);

        await settings.putPolicy('ws_a', 'api_1', { ...saved, enabled: false }, T0 + 1);
        expect(await settings.getPolicy('ws_a', 'api_1')).toMatchObject({
          enabled: false,
          updatedAt: T0 + 1,
        });
        await settings.deletePolicy('ws_a', 'api_1');
        expect(await settings.listPolicies('ws_a')).toEqual([]);
      }),
    );

    it(
      'portal branding: defaults until saved, per workspace',
      withBackend(async ({ stores }) => {
        const settings = stores.portalSettings;
        expect(await settings.getBranding('ws_a')).toEqual({
          name: null,
          logoUrl: null,
          accentColor: null,
          apiBaseUrl: null,
          workspaceId: 'ws_a',
          updatedAt: 0,
        });
        const branding = {
          name: 'Amp',
          logoUrl: 'https://amp.example/logo.svg',
          accentColor: '#0a7',
          apiBaseUrl: 'https://api.amp.example',
        };
        await settings.putBranding('ws_a', branding, T0);
        expect(await settings.getBranding('ws_a')).toEqual({
          ...branding,
          workspaceId: 'ws_a',
          updatedAt: T0,
        });
        expect((await settings.getBranding('ws_b')).name).toBeNull();
      }),
    );
  });
}
