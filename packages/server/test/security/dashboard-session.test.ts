import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';
import { call } from '../../src/testing/test-client.js';

const ORIGIN = 'http://localhost:80';
const SAME_SITE = { origin: ORIGIN, 'x-keyward-csrf': '1', 'sec-fetch-site': 'same-origin' };
const MINUTE = 60_000;

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({
    storage: 'file',
    sessions: { idleTimeoutMs: 30 * MINUTE, maxAgeMs: 12 * 60 * MINUTE },
  });
});
afterEach(async () => {
  await t.close();
});

const cookieOf = (res: LightMyRequestResponse): string => {
  const header = res.headers['set-cookie'];
  const line = Array.isArray(header) ? header[0] : header;
  if (line === undefined) throw new Error('no Set-Cookie');
  return line;
};
const tokenOf = (res: LightMyRequestResponse): string =>
  /keyward_session=([^;]+)/.exec(cookieOf(res))?.[1] ?? '';

const signIn = (rootKey: string, headers: Record<string, string> = SAME_SITE) =>
  call(t.app, null, 'POST', '/dashboard/api/session', { rootKey }, headers);

/** An admin call carrying only the session cookie. */
const withCookie = (
  token: string,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = SAME_SITE,
) => call(t.app, null, method, url, body, { cookie: `keyward_session=${token}`, ...headers });

describe('dashboard sign-in', () => {
  it('exchanges a root key for an HttpOnly, SameSite=Strict session cookie and says who signed in', async () => {
    const res = await signIn(t.a.rootKey);
    expect(res.statusCode).toBe(201);
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/^keyward_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).toMatch(/Max-Age=43200/);
    // Plain http: no Secure (the browser would drop it); see the HTTPS case below.
    expect(cookie).not.toContain('Secure');
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.rootKey).toMatchObject({ id: t.a.rootKeyId, permissions: ['*'] });
    expect(body.workspace.id).toBe(t.a.id);
    expect(res.body).not.toContain(t.a.rootKey);
    expect(res.body).not.toContain(tokenOf(res));
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    await t.close();
    t = await createTestApp({ storage: 'file', sessions: {}, app: { trustProxy: true } });
    const res = await signIn(t.a.rootKey, {
      ...SAME_SITE,
      origin: 'https://keys.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'keys.example',
    });
    expect(res.statusCode).toBe(201);
    expect(cookieOf(res)).toContain('Secure');
  });

  it('takes the root key as a Bearer token too', async () => {
    const res = await call(t.app, t.a.rootKey, 'POST', '/dashboard/api/session', undefined, SAME_SITE);
    expect(res.statusCode).toBe(201);
  });

  it('refuses bad input with problem+json naming the field, and opens no session', async () => {
    const before = t.dump();
    const missing = await call(t.app, null, 'POST', '/dashboard/api/session', {}, SAME_SITE);
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json().errors?.[0]?.field ?? missing.json().detail).toContain('body.rootKey');
    const wrongType = await call(t.app, null, 'POST', '/dashboard/api/session', { rootKey: 42 }, SAME_SITE);
    expect(wrongType.statusCode).toBe(400);
    const extra = await call(
      t.app,
      null,
      'POST',
      '/dashboard/api/session',
      { rootKey: t.a.rootKey, x: 1 },
      SAME_SITE,
    );
    expect(extra.statusCode).toBe(400);
    // The last character changed (a root key that ends in x gets a y: always another key).
    const wrong = await signIn(`${t.a.rootKey.slice(0, -1)}${t.a.rootKey.at(-1) === 'x' ? 'y' : 'x'}`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(t.dump()).toEqual(before);
  });

  it('refuses a sign-in from another site (login CSRF)', async () => {
    const res = await signIn(t.a.rootKey, { origin: 'https://evil.example', 'x-keyward-csrf': '1' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    const noHeader = await signIn(t.a.rootKey, { origin: ORIGIN });
    expect(noHeader.statusCode).toBe(403);
  });

  it('throttles repeated failed sign-ins like invalid root keys', async () => {
    let last = 0;
    for (let i = 0; i < 25; i++) last = (await signIn(`kwroot_${'x'.repeat(36)}`)).statusCode;
    expect(last).toBe(429);
    const good = await signIn(t.a.rootKey);
    expect(good.statusCode).toBe(429);
    expect(good.headers['retry-after']).toBeDefined();
  });

  it('stores the session as a digest only and audits sign-in and sign-out', async () => {
    const res = await signIn(t.a.rootKey);
    const token = tokenOf(res);
    expect(JSON.stringify(t.dump())).not.toContain(token);
    const out = await withCookie(token, 'DELETE', '/dashboard/api/session');
    expect(out.statusCode).toBe(204);
    expect(cookieOf(out)).toMatch(/keyward_session=;/);
    const events = (await call(t.app, t.a.rootKey, 'GET', '/v1/audit-events?limit=100')).json().items;
    const actions = events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['session.create', 'session.end']));
  });
});

describe('the session cookie on the admin API', () => {
  it('works with the CSRF header and a same-origin Origin, with exactly the root key permissions', async () => {
    const token = tokenOf(await signIn(t.a.rootKey));
    const apis = await withCookie(token, 'GET', '/v1/apis');
    expect(apis.statusCode).toBe(200);
    const created = await withCookie(token, 'POST', '/v1/apis', { name: 'Charging', prefix: 'amp_live' });
    expect(created.statusCode).toBe(201);
    const event = (await call(t.app, t.a.rootKey, 'GET', '/v1/audit-events?action=api.create')).json()
      .items[0];
    expect(event.actor).toBe(t.a.rootKeyId);

    const narrow = await t.rootKey(['apis:read']);
    const narrowToken = tokenOf(await signIn(narrow));
    expect((await withCookie(narrowToken, 'GET', '/v1/apis')).statusCode).toBe(200);
    const refused = await withCookie(narrowToken, 'POST', '/v1/apis', { name: 'X', prefix: 'x_live' });
    expect(refused.statusCode).toBe(403);
    expect((await withCookie(narrowToken, 'GET', '/v1/keys')).statusCode).toBe(403);
  });

  it('sees only its own workspace', async () => {
    await call(t.app, t.b.rootKey, 'POST', '/v1/apis', { name: 'Theirs', prefix: 'b_live' });
    const token = tokenOf(await signIn(t.a.rootKey));
    const apis = (await withCookie(token, 'GET', '/v1/apis')).json().items;
    expect(apis).toEqual([]);
  });

  it('is refused without the CSRF header, from another Origin, or on a write without Origin', async () => {
    const token = tokenOf(await signIn(t.a.rootKey));
    const before = t.dump();
    const body = { name: 'Charging', prefix: 'amp_live' };
    const noHeader = await withCookie(token, 'POST', '/v1/apis', body, { origin: ORIGIN });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.headers['content-type']).toContain('application/problem+json');
    const foreign = await withCookie(token, 'POST', '/v1/apis', body, {
      origin: 'https://evil.example',
      'x-keyward-csrf': '1',
    });
    expect(foreign.statusCode).toBe(403);
    const noOrigin = await withCookie(token, 'POST', '/v1/apis', body, { 'x-keyward-csrf': '1' });
    expect(noOrigin.statusCode).toBe(403);
    const crossSite = await withCookie(token, 'GET', '/v1/apis', undefined, {
      'x-keyward-csrf': '1',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.statusCode).toBe(403);
    expect(t.dump()).toEqual(before);
    // A safe read from the page itself (no Origin on same-origin GETs) passes.
    expect(
      (await withCookie(token, 'GET', '/v1/apis', undefined, { 'x-keyward-csrf': '1' })).statusCode,
    ).toBe(200);
  });

  it('lets a Bearer root key win over the cookie', async () => {
    const token = tokenOf(await signIn(t.a.rootKey));
    const res = await call(t.app, t.b.rootKey, 'GET', '/v1/apis', undefined, {
      cookie: `keyward_session=${token}`,
    });
    expect(res.statusCode).toBe(200);
    const bad = await call(t.app, 'kwroot_bad', 'GET', '/v1/apis', undefined, {
      cookie: `keyward_session=${token}`,
      ...SAME_SITE,
    });
    expect(bad.statusCode).toBe(401);
  });

  it('ends after sign-out, on the server', async () => {
    const token = tokenOf(await signIn(t.a.rootKey));
    expect((await withCookie(token, 'DELETE', '/dashboard/api/session')).statusCode).toBe(204);
    expect((await withCookie(token, 'GET', '/v1/apis')).statusCode).toBe(401);
    expect((await withCookie(token, 'GET', '/dashboard/api/session')).statusCode).toBe(401);
  });

  it('ends after the idle timeout, and after the absolute lifetime even when used', async () => {
    const idle = tokenOf(await signIn(t.a.rootKey));
    t.clock.advance(29 * MINUTE);
    expect((await withCookie(idle, 'GET', '/v1/apis')).statusCode).toBe(200);
    t.clock.advance(29 * MINUTE);
    expect((await withCookie(idle, 'GET', '/v1/apis')).statusCode).toBe(200);
    t.clock.advance(31 * MINUTE);
    expect((await withCookie(idle, 'GET', '/v1/apis')).statusCode).toBe(401);

    const busy = tokenOf(await signIn(t.a.rootKey));
    for (let i = 0; i < 12 * 3; i++) {
      t.clock.advance(20 * MINUTE);
      const status = (await withCookie(busy, 'GET', '/v1/apis')).statusCode;
      expect(status).toBe(i < 35 ? 200 : 401);
    }
    const actions = (await call(t.app, t.a.rootKey, 'GET', '/v1/audit-events?action=session.expire')).json()
      .items;
    expect(actions).toHaveLength(2);
  });

  it('ends when its root key is revoked or rolled', async () => {
    const first = await t.rootKey(['*']);
    const token = tokenOf(await signIn(first));
    const id = (await withCookie(token, 'GET', '/dashboard/api/session')).json().rootKey.id;
    await call(t.app, t.a.rootKey, 'POST', `/v1/root-keys/${id}/roll`);
    expect((await withCookie(token, 'GET', '/v1/apis')).statusCode).toBe(401);

    const second = await t.rootKey(['*']);
    const token2 = tokenOf(await signIn(second));
    const id2 = (await withCookie(token2, 'GET', '/dashboard/api/session')).json().rootKey.id;
    await call(t.app, t.a.rootKey, 'POST', `/v1/root-keys/${id2}/revoke`);
    expect((await withCookie(token2, 'GET', '/v1/apis')).statusCode).toBe(401);
  });

  it('is not a root key: a forged or foreign cookie authenticates nothing', async () => {
    expect((await withCookie('A'.repeat(43), 'GET', '/v1/apis')).statusCode).toBe(401);
    expect((await withCookie('short', 'GET', '/v1/apis')).statusCode).toBe(401);
    const portalCookie = await call(t.app, null, 'GET', '/v1/apis', undefined, {
      cookie: `keyward_portal=${'A'.repeat(43)}`,
      ...SAME_SITE,
    });
    expect(portalCookie.statusCode).toBe(401);
  });
});
