import { createEngine } from '@keyward/core';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localVerifier } from '../local-verifier.js';
import { remoteVerifier } from '../remote-verifier.js';
import type { Verifier } from '../verification.js';
import { createKeywardFixture, type KeywardFixture } from './fixture.js';
import type { BuildTestApp, TestApp, TestResponse } from './test-app.js';

const bearer = (key: string) => `Bearer ${key}`;

/** What a caller can observe of a denial; must be equal for every "invalid key" outcome. */
/** What a client can compare between two answers; the request id differs on every request, whatever the key. */
const observable = (res: TestResponse) => {
  const { requestId: _, ...body } = (res.body ?? {}) as Record<string, unknown>;
  return {
    status: res.status,
    challenge: res.headers['www-authenticate'],
    type: res.headers['content-type'],
    cache: res.headers['cache-control'],
    ratelimit: res.headers.ratelimit,
    body,
  };
};

/** A verifier that cannot run: an engine on a closed store (local) or a verify API nobody listens on (remote). */
async function brokenVerifier(mode: 'local' | 'remote'): Promise<Verifier> {
  if (mode === 'remote')
    return remoteVerifier({ baseUrl: 'http://127.0.0.1:9', rootKey: 'kwroot_none', timeoutMs: 2000 });
  const sql = createSqliteHandle({ database: openSqliteDatabase(':memory:') });
  await migrateSqlite(sql);
  const store = createStore(sql);
  await store.close();
  return localVerifier(createEngine({ store }));
}

/**
 * Every answer of the middleware, in local and remote mode, through a real app of the
 * framework: each VerifyCode, the request errors, throttling and a failing verifier.
 */
export function describeMiddleware(framework: string, build: BuildTestApp): void {
  describe.each(['local', 'remote'] as const)(`${framework} middleware (%s mode)`, (mode) => {
    let fx: KeywardFixture;
    let app: TestApp;
    const verifier = () => (mode === 'local' ? fx.local : fx.remote());

    beforeAll(async () => {
      fx = await createKeywardFixture();
      app = await build({ verifier: verifier(), realm: 'charging', throttle: false, now: fx.clock.now });
    });
    afterAll(async () => {
      await app?.close();
      await fx?.close();
    });

    it('VALID but due for rotation: Deprecation and Sunset headers (fake time)', async () => {
      const day = 86_400_000;
      // An API of its own, so that its lifetime policy touches no other scenario's keys.
      const rotating = await fx.admin.apis.create({ name: 'Rotating API', prefix: `rot_${mode}` });
      const issued = await fx.admin.keys.create({ apiId: rotating.id, permissions: ['stations:read'] });
      const dueAt = fx.clock.now() + 10 * day;
      const rotateBy = dueAt + 2 * day;
      await fx.store.lifetimePolicies.put({
        workspaceId: fx.workspaceId,
        apiId: rotating.id,
        maxTtlDays: null,
        rotateAfterDays: 10,
        rotationGraceDays: 2,
        idleDisableAfterDays: null,
        remindBeforeDays: 0,
        mode: 'enforce',
        createdAt: fx.clock.now(),
        updatedAt: fx.clock.now(),
      });
      await fx.engine.invalidate({ type: 'workspace', workspaceId: fx.workspaceId });
      const fresh = await app.request({ path: '/stations', authorization: bearer(issued.key) });
      expect(fresh.status).toBe(200);
      expect(fresh.headers.deprecation).toBeUndefined();
      fx.clock.advance(10 * day);
      const due = await app.request({ path: '/stations', authorization: bearer(issued.key) });
      expect(due.status).toBe(200);
      expect(due.headers.deprecation).toBe(`@${Math.floor(dueAt / 1000)}`);
      expect(due.headers.sunset).toBe(new Date(rotateBy).toUTCString());
      await fx.store.lifetimePolicies.delete(fx.workspaceId, rotating.id);
      await fx.engine.invalidate({ type: 'workspace', workspaceId: fx.workspaceId });
    });

    it('a child key minted with the client: its parent in the identity, refused once the parent is revoked', async () => {
      const parent = await fx.issue({ permissions: ['stations:read', 'sessions:read'] });
      const child = await fx.admin.keys.mintChild({
        parentKey: parent.key,
        permissions: ['stations:read'],
        expiresIn: 600,
      });
      expect(child).toMatchObject({ parentKeyId: parent.id, expiresAt: fx.clock.now() + 600_000 });
      const res = await app.request({ path: '/stations', authorization: bearer(child.key) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        identity: { keyId: child.id, parentKeyId: parent.id, permissions: ['stations:read'] },
      });
      const beyond = await app.request({ path: '/sessions', authorization: bearer(child.key) });
      expect(beyond.status).toBe(403);
      await fx.admin.keys.revoke(parent.id);
      const dead = await app.request({ path: '/stations', authorization: bearer(child.key) });
      expect(dead.status).toBe(401);
    });

    it('VALID: hands the identity to the route', async () => {
      const issued = await fx.issue({
        externalId: 'ionity',
        name: 'backend',
        meta: { plan: 'pro' },
        permissions: ['stations:read'],
      });
      const res = await app.request({ path: '/stations', authorization: bearer(issued.key) });
      expect(res.status).toBe(200);
      expect(res.headers.ratelimit).toBeUndefined();
      expect(res.body).toMatchObject({
        route: 'GET /stations',
        identity: {
          keyId: issued.id,
          apiId: fx.apiId,
          name: 'backend',
          consumer: { id: issued.consumerId, externalId: 'ionity' },
          permissions: ['stations:read'],
          meta: { plan: 'pro' },
          ratelimits: [],
          credits: null,
        },
      });
    });

    it('VALID with a rate limit: RateLimit headers on the success, then RATE_LIMITED: 429', async () => {
      // At a window start, so the window ends exactly 60 s later.
      fx.clock.advance(60_000 - (fx.clock.now() % 60_000));
      const issued = await fx.issue({
        permissions: ['sessions:read'],
        ratelimits: [{ name: 'per-minute', limit: 2, duration: 60_000 }],
      });
      const first = await app.request({ path: '/sessions', authorization: bearer(issued.key) });
      expect(first.status).toBe(200);
      expect(first.headers['ratelimit-policy']).toBe('"per-minute";q=2;w=60');
      // One unit left: t is when the limit is whole again (this unit weighs on the next window too).
      expect(first.headers.ratelimit).toBe('"per-minute";r=1;t=120');
      expect((await app.request({ path: '/sessions', authorization: bearer(issued.key) })).status).toBe(200);
      fx.clock.advance(15_000);
      const limited = await app.request({ path: '/sessions', authorization: bearer(issued.key) });
      expect(limited.status).toBe(429);
      // Sliding window: the two units of this window weigh in the next one until it is half over,
      // and t tells the same time as Retry-After (issue 10: it said 45, the window's end).
      expect(limited.headers['retry-after']).toBe('75');
      expect(limited.headers.ratelimit).toBe('"per-minute";r=0;t=75');
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    });

    it('dry-run rules: the request passes, the route sees wouldDeny, and no RateLimit header tells of them', async () => {
      const issued = await fx.issue({
        permissions: ['stations:read'],
        ratelimits: [{ name: 'trial', limit: 1, duration: 60_000, mode: 'dry-run' }],
      });
      expect(issued.ratelimits).toEqual([
        { name: 'trial', limit: 1, duration: 60_000, algorithm: 'sliding_window', mode: 'dry-run' },
      ]);
      const first = await app.request({ path: '/reports', authorization: bearer(issued.key) });
      const second = await app.request({ path: '/reports', authorization: bearer(issued.key) });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.ratelimit).toBeUndefined();
      expect(second.headers['ratelimit-policy']).toBeUndefined();
      expect(first.body).toMatchObject({
        identity: { wouldDeny: [{ code: 'INSUFFICIENT_PERMISSIONS', rule: 'reports:read' }], ratelimits: [] },
      });
      expect(second.body).toMatchObject({
        identity: {
          wouldDeny: [
            { code: 'INSUFFICIENT_PERMISSIONS', rule: 'reports:read' },
            { code: 'RATE_LIMITED', rule: 'trial' },
          ],
        },
      });
      // The enforced requirement of the same route still denies.
      const other = await fx.issue({ permissions: ['reports:read'] });
      expect((await app.request({ path: '/reports', authorization: bearer(other.key) })).status).toBe(403);
    });

    it('USAGE_EXCEEDED: 429 once the credits run out, which are never spent by a denial', async () => {
      const issued = await fx.issue({ permissions: ['sessions:write'], credits: { remaining: 3 } });
      const ok = await app.request({ method: 'POST', path: '/sessions', authorization: bearer(issued.key) });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ identity: { credits: { remaining: 1 } } });
      const out = await app.request({ method: 'POST', path: '/sessions', authorization: bearer(issued.key) });
      expect(out.status).toBe(429);
      expect(out.headers['retry-after']).toBeUndefined();
      expect(out.body).toMatchObject({ code: 'USAGE_EXCEEDED' });
      expect((await fx.admin.keys.get(issued.id)).credits?.remaining).toBe(1);
    });

    it('INSUFFICIENT_PERMISSIONS: 403 insufficient_scope naming the scope', async () => {
      const issued = await fx.issue({ permissions: ['stations:read'], credits: { remaining: 10 } });
      const res = await app.request({ method: 'POST', path: '/sessions', authorization: bearer(issued.key) });
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="charging", error="insufficient_scope", scope="sessions:write"',
      );
      expect(res.body).toMatchObject({ status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
      expect((await fx.admin.keys.get(issued.id)).credits?.remaining).toBe(10);
    });

    it('FORBIDDEN_ORIGIN: a publishable key passes from an allowed browser origin only, 403 without a challenge', async () => {
      const origin = 'https://app.example.com';
      await fx.store.publishablePolicies.put({
        workspaceId: fx.workspaceId,
        apiId: fx.apiId,
        publicPermissions: ['stations:read'],
        allowedOrigins: [origin],
        updatedAt: fx.clock.now(),
      });
      const issued = await fx.issue({ kind: 'publishable', permissions: ['stations:read'] });
      const authorization = bearer(issued.key);
      const ok = await app.request({
        path: '/stations',
        authorization,
        headers: { origin, 'sec-fetch-site': 'cross-site' },
      });
      expect(ok.status).toBe(200);
      for (const headers of [{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, {}]) {
        const refused = await app.request({ path: '/stations', authorization, headers });
        expect(refused.status).toBe(403);
        expect(refused.body).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
        expect(refused.headers['www-authenticate']).toBeUndefined();
      }
    });

    it('FORBIDDEN_IP: 403 without a challenge; the allowed address passes', async () => {
      const elsewhere = await fx.issue({ allowedIps: ['192.0.2.0/24'] });
      const res = await app.request({ path: '/whoami', authorization: bearer(elsewhere.key) });
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.body).toMatchObject({ code: 'FORBIDDEN_IP' });
      const here = await fx.issue({ allowedIps: ['127.0.0.1/32', '::ffff:127.0.0.1/128'] });
      expect((await app.request({ path: '/whoami', authorization: bearer(here.key) })).status).toBe(200);
    });

    it('NOT_FOUND, REVOKED, EXPIRED, DISABLED and malformed keys get the same 401 invalid_token', async () => {
      const revoked = await fx.issue();
      await fx.admin.keys.revoke(revoked.id);
      const disabled = await fx.issue();
      await fx.admin.keys.update(disabled.id, { enabled: false });
      const expiring = await fx.issue({ expiresAt: fx.clock.now() + 60_000 });
      fx.clock.advance(60_001);
      const answers = await Promise.all(
        [
          fx.unknownKey(),
          revoked.key,
          disabled.key,
          expiring.key,
          'not-a-key',
          `${fx.prefix}_${'A'.repeat(36)}`,
        ].map(async (key) => observable(await app.request({ path: '/whoami', authorization: bearer(key) }))),
      );
      const malformed = observable(await app.request({ path: '/whoami', authorization: 'Bearer "quoted"' }));
      for (const answer of [...answers, malformed]) expect(answer).toEqual(answers[0]);
      expect(answers[0]).toMatchObject({
        status: 401,
        challenge: 'Bearer realm="charging", error="invalid_token"',
        ratelimit: undefined,
        body: { status: 401, error: 'invalid_token' },
      });
    });

    it('no credentials (or another scheme): 401 with a bare challenge', async () => {
      for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', '']) {
        const res = await app.request({
          path: '/whoami',
          ...(authorization === undefined ? {} : { authorization }),
        });
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="charging"');
      }
    });

    it('a token in the query or two Authorization headers: 400 invalid_request', async () => {
      const issued = await fx.issue();
      const inQuery = await app.request({ path: `/whoami?access_token=${issued.key}` });
      const both = await app.request({
        path: `/whoami?access_token=${issued.key}`,
        authorization: bearer(issued.key),
      });
      const twice = await app.request({
        path: '/whoami',
        authorization: [bearer(issued.key), bearer(issued.key)],
      });
      for (const res of [inQuery, both, twice]) {
        expect(res.status).toBe(400);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="charging", error="invalid_request"');
      }
    });

    it('throttles an address after repeated unknown keys, yet never refuses a valid key (issue 10)', async () => {
      const throttled = await build({
        verifier: verifier(),
        realm: 'charging',
        throttle: { maxFailures: 3, blockMs: 90_000 },
        now: fx.clock.now,
      });
      try {
        const issued = await fx.issue({ credits: { remaining: 5 } });
        for (let i = 0; i < 3; i++) {
          expect(
            (await throttled.request({ path: '/whoami', authorization: bearer(fx.unknownKey()) })).status,
          ).toBe(401);
        }
        const refused = await throttled.request({ path: '/whoami', authorization: bearer(fx.unknownKey()) });
        expect(refused.status).toBe(429);
        expect(refused.headers['retry-after']).toBe('90');
        expect(refused.body).toMatchObject({ code: 'TOO_MANY_FAILURES' });
        const malformed = await throttled.request({ path: '/whoami', authorization: bearer('not-a-key') });
        expect(malformed.status).toBe(429);
        // The address may be shared (NAT, a proxy): another client's valid key still passes.
        expect((await throttled.request({ path: '/whoami', authorization: bearer(issued.key) })).status).toBe(
          200,
        );
        expect((await fx.admin.keys.get(issued.id)).credits?.remaining).toBe(4);
      } finally {
        await throttled.close();
      }
    });

    it('answers 503 when verification cannot run, and reports the error', async () => {
      const errors: unknown[] = [];
      const broken = await build({ verifier: await brokenVerifier(mode), onError: (e) => errors.push(e) });
      try {
        const res = await broken.request({ path: '/whoami', authorization: bearer(fx.unknownKey()) });
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ status: 503 });
        expect(errors).toHaveLength(1);
      } finally {
        await broken.close();
      }
    });
  });
}
