import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../src/testing/test-app.js';
import { call } from '../../src/testing/test-client.js';

const ORIGIN = 'http://localhost:80';
const SAME_SITE = { origin: ORIGIN, 'x-keyward-csrf': '1' };
const MINUTE = 60_000;

let t: TestApp;
let apiId: string;
let hiddenApiId: string;

const admin = (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, ws: TestWorkspace = t.a) =>
  call(t.app, ws.rootKey, method as 'GET', url, body);

const tokenIn = (url: string): string => new URL(url).hash.replace('#token=', '');
const portalCookie = (res: LightMyRequestResponse): string => {
  const header = res.headers['set-cookie'];
  const line = (Array.isArray(header) ? header[0] : header) ?? '';
  return /keyward_portal=([^;]*)/.exec(line)?.[1] ?? '';
};

/** A portal link for a customer, opened: the cookie of their portal session. */
async function openPortal(externalId: string, ws: TestWorkspace = t.a): Promise<string> {
  const link = await admin(
    'POST',
    '/v1/portal/sessions',
    { externalId, returnUrl: 'https://provider.example/account' },
    ws,
  );
  expect(link.statusCode).toBe(201);
  const res = await call(
    t.app,
    null,
    'POST',
    '/portal/api/exchange',
    { token: tokenIn(link.json().url) },
    SAME_SITE,
  );
  expect(res.statusCode).toBe(201);
  return portalCookie(res);
}

const portal = (
  cookie: string,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  headers = SAME_SITE,
) => call(t.app, null, method, url, body, { cookie: `keyward_portal=${cookie}`, ...headers });

beforeEach(async () => {
  t = await createTestApp({ storage: 'file', sessions: {} });
  apiId = (await admin('POST', '/v1/apis', { name: 'Charging API', prefix: 'amp_live' })).json().id;
  hiddenApiId = (await admin('POST', '/v1/apis', { name: 'Internal', prefix: 'int_live' })).json().id;
  for (const externalId of ['acme', 'globex']) await admin('POST', '/v1/consumers', { externalId });
  const policy = await admin('PUT', `/v1/apis/${apiId}/portal-policy`, {
    enabled: true,
    allowCreate: true,
    allowRoll: true,
    allowRevoke: true,
    permissions: ['sessions:read', 'sessions:write'],
    ratelimits: [{ name: 'requests', limit: 100, duration: 60_000 }],
    credits: { remaining: 1000, refill: { interval: 'monthly', amount: 1000 } },
    maxKeysPerConsumer: 2,
  });
  expect(policy.statusCode).toBe(200);
});
afterEach(async () => {
  await t.close();
});

describe('portal links', () => {
  it('are single-use, short-lived, carry the token in the fragment only, and store only its digest', async () => {
    const link = await admin('POST', '/v1/portal/sessions', { externalId: 'acme', expiresIn: 600 });
    expect(link.statusCode).toBe(201);
    const { url, expiresAt } = link.json();
    expect(url).toMatch(/^http:\/\/localhost:80\/portal\/#token=[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe(t.clock.now() + 5 * MINUTE);
    const token = tokenIn(url);
    expect(JSON.stringify(t.dump())).not.toContain(token);

    const first = await call(t.app, null, 'POST', '/portal/api/exchange', { token }, SAME_SITE);
    expect(first.statusCode).toBe(201);
    const cookie = first.headers['set-cookie'] as string;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/portal');
    expect(cookie).toContain('Max-Age=600');
    expect(first.json()).toMatchObject({ customer: { externalId: 'acme' }, apis: [{ id: apiId }] });
    const again = await call(t.app, null, 'POST', '/portal/api/exchange', { token }, SAME_SITE);
    expect(again.statusCode).toBe(401);

    const late = tokenIn((await admin('POST', '/v1/portal/sessions', { externalId: 'acme' })).json().url);
    t.clock.advance(5 * MINUTE);
    expect(
      (await call(t.app, null, 'POST', '/portal/api/exchange', { token: late }, SAME_SITE)).statusCode,
    ).toBe(401);
  });

  it('refuse bad input naming the field, and change nothing', async () => {
    const before = t.dump();
    const cases: Array<[unknown, number, string]> = [
      [{ externalId: 'acme', returnUrl: 'javascript:alert(1)' }, 400, 'body.returnUrl'],
      [{ externalId: 'acme', returnUrl: '/relative' }, 400, 'body.returnUrl'],
      [{ externalId: 'acme', returnUrl: '//evil.example' }, 400, 'body.returnUrl'],
      [{ externalId: 'acme', returnUrl: 'https://user:pw@evil.example' }, 400, 'body.returnUrl'],
      [{ externalId: 'acme', expiresIn: 10 }, 400, 'body.expiresIn'],
      [{ externalId: 'acme', expiresIn: 90_000 }, 400, 'body.expiresIn'],
      [{ externalId: 'nobody' }, 404, 'body.externalId'],
      [{}, 400, 'body.externalId'],
    ];
    for (const [body, status, field] of cases) {
      const res = await admin('POST', '/v1/portal/sessions', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.json())).toContain(field);
    }
    expect(t.dump()).toEqual(before);
  });

  it('need a root key with keys:write, and only open consumers of that workspace', async () => {
    const reader = await t.rootKey(['keys:read']);
    expect(
      (await call(t.app, reader, 'POST', '/v1/portal/sessions', { externalId: 'acme' })).statusCode,
    ).toBe(403);
    expect((await admin('POST', '/v1/portal/sessions', { externalId: 'acme' }, t.b)).statusCode).toBe(404);
  });
});

describe('portal policy and branding', () => {
  it('hide an API until enabled, and refuse bad settings naming the field without changing anything', async () => {
    const hidden = await admin('GET', `/v1/apis/${hiddenApiId}/portal-policy`);
    expect(hidden.json()).toMatchObject({ enabled: false, allowCreate: false, updatedAt: 0 });
    const before = t.dump();
    const bad: Array<[unknown, string]> = [
      [{ enabled: true, permissions: ['bad permission'] }, 'body.permissions'],
      [
        {
          enabled: true,
          ratelimits: [
            { name: 'a', limit: 1, duration: 1 },
            { name: 'a', limit: 1, duration: 1 },
          ],
        },
        'body.ratelimits',
      ],
      [{ enabled: true, maxKeysPerConsumer: 0 }, 'body.maxKeysPerConsumer'],
      [{ allowCreate: true }, 'body.enabled'],
      [{ enabled: true, credits: { remaining: -1 } }, 'body.credits'],
    ];
    for (const [body, field] of bad) {
      const res = await admin('PUT', `/v1/apis/${hiddenApiId}/portal-policy`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json())).toContain(field);
    }
    expect((await admin('PUT', `/v1/apis/api_unknown/portal-policy`, { enabled: true })).statusCode).toBe(
      404,
    );
    expect((await admin('PUT', `/v1/apis/${apiId}/portal-policy`, { enabled: true }, t.b)).statusCode).toBe(
      404,
    );
    expect(t.dump()).toEqual(before);
  });

  it('take an https logo and a hex accent colour only', async () => {
    const before = t.dump();
    for (const [body, field] of [
      [{ logoUrl: 'http://amp.example/logo.png' }, 'body.logoUrl'],
      [{ logoUrl: 'javascript:alert(1)' }, 'body.logoUrl'],
      [{ accentColor: 'red' }, 'body.accentColor'],
      [{ accentColor: '#12345' }, 'body.accentColor'],
      [{ apiBaseUrl: 'javascript:alert(1)' }, 'body.apiBaseUrl'],
    ] as const) {
      const res = await admin('PUT', '/v1/portal/branding', body);
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(res.json())).toContain(field);
    }
    expect(t.dump()).toEqual(before);
    const saved = await admin('PUT', '/v1/portal/branding', {
      name: 'Amp',
      logoUrl: 'https://amp.example/logo.svg',
      accentColor: '#0a7f5a',
      apiBaseUrl: 'https://api.amp.example',
    });
    expect(saved.statusCode).toBe(200);
    const cookie = await openPortal('acme');
    expect((await portal(cookie, 'GET', '/portal/api/session')).json().branding).toEqual({
      name: 'Amp',
      logoUrl: 'https://amp.example/logo.svg',
      accentColor: '#0a7f5a',
      apiBaseUrl: 'https://api.amp.example',
    });
  });
});

describe('a customer in the portal', () => {
  it('creates (shown once), lists, rolls and revokes their own keys within the policy', async () => {
    const cookie = await openPortal('acme');
    const created = await portal(cookie, 'POST', '/portal/api/keys', {
      apiId,
      name: 'laptop',
      permissions: ['sessions:read'],
    });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key.key).toMatch(/^amp_live_/);
    expect(key).toMatchObject({
      name: 'laptop',
      permissions: ['sessions:read'],
      status: 'active',
      credits: { remaining: 1000 },
    });
    expect(key.ratelimits).toEqual([
      { name: 'requests', limit: 100, duration: 60_000, algorithm: 'sliding_window' },
    ]);
    const verify = await admin('POST', '/v1/keys/verify', { key: key.key });
    expect(verify.json()).toMatchObject({ valid: true, consumer: { externalId: 'acme' } });

    const listed = (await portal(cookie, 'GET', '/portal/api/keys')).json().items;
    expect(listed.map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect(JSON.stringify(listed)).not.toContain(key.key);

    const rolled = await portal(cookie, 'POST', `/portal/api/keys/${key.id}/roll`, { gracePeriodMs: 60_000 });
    expect(rolled.statusCode).toBe(200);
    expect(rolled.json().key).not.toBe(key.key);
    expect((await admin('POST', '/v1/keys/verify', { key: key.key })).json().valid).toBe(true);
    expect((await admin('POST', '/v1/keys/verify', { key: rolled.json().key })).json().valid).toBe(true);

    const revoked = await portal(cookie, 'POST', `/portal/api/keys/${key.id}/revoke`);
    expect(revoked.json().status).toBe('revoked');
    expect((await admin('POST', '/v1/keys/verify', { key: rolled.json().key })).json().code).toBe('REVOKED');

    const audit = (await admin('GET', `/v1/audit-events?targetId=${key.id}`)).json().items;
    expect(audit.map((e: { actor: string }) => e.actor)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^portal:con_/)]),
    );
  });

  it('is held to the policy: offered permissions, key limit, and the allowed actions', async () => {
    const cookie = await openPortal('acme');
    const before = t.dump();
    const outside = await portal(cookie, 'POST', '/portal/api/keys', { apiId, permissions: ['admin:*'] });
    expect(outside.statusCode).toBe(400);
    expect(JSON.stringify(outside.json())).toContain('body.permissions[0]');
    const hidden = await portal(cookie, 'POST', '/portal/api/keys', { apiId: hiddenApiId });
    expect(hidden.statusCode).toBe(404);
    expect(t.dump()).toEqual(before);

    expect((await portal(cookie, 'POST', '/portal/api/keys', { apiId })).statusCode).toBe(201);
    expect((await portal(cookie, 'POST', '/portal/api/keys', { apiId })).statusCode).toBe(201);
    const third = await portal(cookie, 'POST', '/portal/api/keys', { apiId });
    expect(third.statusCode).toBe(409);

    await admin('PUT', `/v1/apis/${apiId}/portal-policy`, { enabled: true });
    const [first] = (await portal(cookie, 'GET', '/portal/api/keys')).json().items;
    expect((await portal(cookie, 'POST', `/portal/api/keys/${first.id}/revoke`)).statusCode).toBe(403);
    expect((await portal(cookie, 'POST', `/portal/api/keys/${first.id}/roll`)).statusCode).toBe(403);
    expect((await portal(cookie, 'POST', '/portal/api/keys', { apiId })).statusCode).toBe(403);
  });

  it("sees and changes nothing of another customer's keys, on any portal route", async () => {
    const acme = await openPortal('acme');
    const globex = await openPortal('globex');
    const acmeKey = (await portal(acme, 'POST', '/portal/api/keys', { apiId, name: 'acme prod' })).json();
    // A key of acme on an API the portal hides, made by the provider.
    const hiddenKey = (await admin('POST', '/v1/keys', { apiId: hiddenApiId, externalId: 'acme' })).json();
    const before = t.dump();

    expect((await portal(globex, 'GET', '/portal/api/keys')).json().items).toEqual([]);
    for (const [method, url, body] of [
      ['POST', `/portal/api/keys/${acmeKey.id}/roll`, {}],
      ['POST', `/portal/api/keys/${acmeKey.id}/revoke`, undefined],
      ['GET', `/portal/api/usage?keyId=${acmeKey.id}`, undefined],
    ] as const) {
      const res = await portal(globex, method, url, body);
      expect(res.statusCode, url).toBe(404);
    }
    expect(t.dump()).toEqual(before);

    // acme itself does not see the hidden API's key either.
    const own = (await portal(acme, 'GET', '/portal/api/keys')).json().items.map((k: { id: string }) => k.id);
    expect(own).toEqual([acmeKey.id]);
    expect((await portal(acme, 'POST', `/portal/api/keys/${hiddenKey.id}/revoke`)).statusCode).toBe(404);
    const session = (await portal(acme, 'GET', '/portal/api/session')).json();
    expect(session.apis.map((a: { id: string }) => a.id)).toEqual([apiId]);
  });

  it('a portal session of another workspace sees nothing of this one', async () => {
    await admin('POST', '/v1/consumers', { externalId: 'acme' }, t.b);
    const foreign = await openPortal('acme', t.b);
    const mine = await openPortal('acme');
    const key = (await portal(mine, 'POST', '/portal/api/keys', { apiId })).json();
    expect((await portal(foreign, 'GET', '/portal/api/keys')).json().items).toEqual([]);
    expect((await portal(foreign, 'POST', `/portal/api/keys/${key.id}/revoke`)).statusCode).toBe(404);
    expect((await portal(foreign, 'POST', '/portal/api/keys', { apiId })).statusCode).toBe(404);
    expect((await portal(foreign, 'GET', '/portal/api/session')).json().apis).toEqual([]);
  });
});

describe('portal and admin credentials do not cross', () => {
  it('a portal cookie is useless on the admin API, root keys and dashboard cookies on the portal API', async () => {
    const cookie = await openPortal('acme');
    const onAdmin = await call(t.app, null, 'GET', '/v1/keys', undefined, {
      cookie: `keyward_portal=${cookie}`,
      ...SAME_SITE,
    });
    expect(onAdmin.statusCode).toBe(401);
    const rootOnPortal = await call(t.app, t.a.rootKey, 'GET', '/portal/api/keys', undefined, SAME_SITE);
    expect(rootOnPortal.statusCode).toBe(401);
    const dashboard = await call(
      t.app,
      null,
      'POST',
      '/dashboard/api/session',
      { rootKey: t.a.rootKey },
      SAME_SITE,
    );
    const session = /keyward_session=([^;]+)/.exec(String(dashboard.headers['set-cookie']))?.[1] ?? '';
    const dashboardOnPortal = await call(t.app, null, 'GET', '/portal/api/keys', undefined, {
      cookie: `keyward_session=${session}`,
      ...SAME_SITE,
    });
    expect(dashboardOnPortal.statusCode).toBe(401);
    // The dashboard cookie's token named as a portal cookie does not work either.
    expect((await portal(session, 'GET', '/portal/api/keys')).statusCode).toBe(401);
  });

  it('the portal API needs the CSRF header and a same-origin Origin', async () => {
    const cookie = await openPortal('acme');
    const before = t.dump();
    expect(
      (await portal(cookie, 'POST', '/portal/api/keys', { apiId }, { origin: ORIGIN } as typeof SAME_SITE))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await portal(
          cookie,
          'POST',
          '/portal/api/keys',
          { apiId },
          { origin: 'https://evil.example', 'x-keyward-csrf': '1' },
        )
      ).statusCode,
    ).toBe(403);
    expect(t.dump()).toEqual(before);
  });

  it('ends on sign-out and at expiry', async () => {
    const cookie = await openPortal('acme');
    expect((await portal(cookie, 'DELETE', '/portal/api/session')).statusCode).toBe(204);
    expect((await portal(cookie, 'GET', '/portal/api/keys')).statusCode).toBe(401);
    const other = await openPortal('acme');
    t.clock.advance(60 * MINUTE);
    expect((await portal(other, 'GET', '/portal/api/keys')).statusCode).toBe(401);
  });
});

describe('portal: child keys', () => {
  it("lists a customer's child keys with their parent, and no other customer's", async () => {
    const acme = (await admin('GET', '/v1/consumers?limit=100'))
      .json()
      .items.find((c: { externalId: string }) => c.externalId === 'acme');
    const parent = (
      await admin('POST', '/v1/keys', { apiId, consumerId: acme.id, permissions: ['sessions:*'] })
    ).json();
    const minted = await call(t.app, parent.key, 'POST', '/v1/keys/children', {
      permissions: ['sessions:read'],
      expiresIn: 600,
      name: 'export job',
    });
    expect(minted.statusCode).toBe(201);
    const child = minted.json();
    const mine = (await portal(await openPortal('acme'), 'GET', '/portal/api/keys')).json();
    expect(mine.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: parent.id, parentKeyId: null }),
        expect.objectContaining({ id: child.id, parentKeyId: parent.id, permissions: ['sessions:read'] }),
      ]),
    );
    expect(JSON.stringify(mine)).not.toContain(child.key);
    const theirs = (await portal(await openPortal('globex'), 'GET', '/portal/api/keys')).json();
    expect(theirs.items).toEqual([]);
  });
});
