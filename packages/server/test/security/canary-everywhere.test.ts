import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubKeySource } from '../../src/secret-scanning/github-keys.js';
import { call, clientFor, type TestClient } from '../../src/testing/test-client.js';
import { createFullApp, type FullApp } from './support/full-app.js';

/**
 * Canary secrets (keys, root keys, the pepper, webhook secrets, an imported key, a session
 * cookie, a portal token, a foreign Bearer token) planted through every face and in every
 * hostile place, then looked for in every log line, the database file and its WAL,
 * `/metrics`, every error body, the audit log of both workspaces and every webhook payload.
 */
const PEPPER = 'canary-pepper-9fQ2xW4vT7yZ1aB3cD5e';
const IMPORTED = 'canary-legacy-key-7Hq2Zp9Lm4';
const SESSION = 'canary-session-cookie-Rt5Wq8';
const PORTAL = 'canary-portal-token-Xy3Kd6';
const FOREIGN_BEARER = 'canary-foreign-bearer-Mn8Vb1';

let t: FullApp;
let api: TestClient;
const secrets: Record<string, string> = {};
const errorBodies: string[] = [];

const record = (res: { statusCode: number; body: string }) => {
  if (res.statusCode >= 400) errorBodies.push(res.body);
  return res;
};

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const list = {
    public_keys: [
      { key_identifier: 'gh-1', key: publicKey.export({ type: 'spki', format: 'pem' }), is_current: true },
    ],
  };
  t = await createFullApp({
    pepper: PEPPER,
    app: {
      githubKeys: createGithubKeySource({
        url: 'http://keys.invalid/list',
        fetch: async () => Response.json(list),
      }),
    },
  });
  api = clientFor(t.app, t.a.rootKey);
  Object.assign(secrets, {
    PEPPER,
    IMPORTED,
    SESSION,
    PORTAL,
    FOREIGN_BEARER,
    rootA: t.a.rootKey,
    rootB: t.b.rootKey,
  });

  const apiId = (await api.post('/v1/apis', { name: 'Canary', prefix: 'canary' })).json().id;
  const created = (
    await api.post('/v1/keys', { apiId, credits: { remaining: 5 } }, { 'idempotency-key': 'c-1' })
  ).json();
  secrets.key = created.key;
  await api.post('/v1/keys', { apiId, credits: { remaining: 5 } }, { 'idempotency-key': 'c-1' });
  const rolled = (await api.post(`/v1/keys/${created.id}/roll`, { gracePeriodMs: 60_000 })).json();
  secrets.rolled = rolled.key;
  await api.post('/v1/keys/verify', { key: created.key });
  await api.post('/v1/keys/verify', { key: rolled.key, ip: '198.51.100.4' });
  await api.post('/v1/keys/import', { apiId, keys: [{ plaintext: IMPORTED }] });
  await api.post('/v1/keys/verify', { key: IMPORTED });
  const rk = (
    await api.post('/v1/root-keys', { permissions: ['keys:read'] }, { 'idempotency-key': 'rk-1' })
  ).json();
  secrets.rootKey = rk.key;
  secrets.rootRolled = (await api.post(`/v1/root-keys/${rk.id}/roll`)).json().key;
  const hook = (
    await api.post('/v1/webhooks', {
      url: 'https://example.com/hook',
      events: ['key.leaked', 'key.updated', 'key.created', 'key.rolled', 'alert.raised'],
    })
  ).json();
  secrets.webhook = hook.secret;
  secrets.webhookRotated = (await api.post(`/v1/webhooks/${hook.id}/rotate-secret`)).json().secret;

  // Secrets where they do not belong.
  const hostile: Array<[string, Record<string, string>]> = [
    [`/v1/keys?key=${rolled.key}&access_token=${IMPORTED}&portal_token=${PORTAL}`, {}],
    [`/v1/keys/${rolled.key}`, {}],
    [
      `/v1/apis?session=${SESSION}`,
      { cookie: `kw_session=${SESSION}; theme=dark`, 'x-portal-token': PORTAL },
    ],
    ['/v1/apis', { 'x-request-id': rolled.key }],
  ];
  for (const [url, headers] of hostile) record(await api.get(url, headers));
  record(await call(t.app, rolled.key, 'GET', '/v1/apis'));
  record(await call(t.app, FOREIGN_BEARER, 'GET', '/v1/apis'));
  record(
    await t.app.inject({
      method: 'GET',
      url: '/v1/apis',
      headers: { authorization: `Basic ${Buffer.from(`u:${IMPORTED}`).toString('base64')}` },
    }),
  );
  for (const payload of [
    `{"key": "${rolled.key}"`,
    `{"key":"${rolled.key}","permissions":"(("}`,
    `{"key":"${rolled.key}","nope":1}`,
  ])
    record(
      await t.app.inject({
        method: 'POST',
        url: '/v1/keys/verify',
        headers: { authorization: `Bearer ${t.a.rootKey}`, 'content-type': 'application/json' },
        payload,
      }),
    );
  record(
    await t.app.inject({
      method: 'POST',
      url: '/v1/keys/verify',
      headers: { authorization: `Bearer ${t.a.rootKey}`, 'content-type': 'text/plain' },
      payload: rolled.key,
    }),
  );
  record(await api.post('/v1/keys/import', { apiId, keys: [{ plaintext: IMPORTED }] }));
  record(await api.post('/v1/root-keys', { permissions: [rolled.key] }));

  // Leak reports: GitHub's (signed) and a root key's.
  const body = Buffer.from(
    JSON.stringify([{ token: rolled.key, type: 'keyward', url: `https://github.com/o/r?token=${PORTAL}` }]),
  );
  const signature = sign('sha256', body, { key: privateKey, dsaEncoding: 'der' }).toString('base64');
  const headers = {
    'content-type': 'application/json',
    'github-public-key-identifier': 'gh-1',
    'github-public-key-signature': signature,
  };
  await t.app.inject({ method: 'POST', url: '/v1/secret-scanning/github', headers, payload: body });
  record(
    await t.app.inject({
      method: 'POST',
      url: '/v1/secret-scanning/github',
      headers: { ...headers, 'github-public-key-signature': signature.replace(/^./, 'A') },
      payload: Buffer.from(`${body} `),
    }),
  );
  await api.post('/v1/keys/report-leak', {
    keys: [{ key: secrets.key, source: 'canary' }, { key: IMPORTED }],
  });

  // A failure deep inside.
  const listKeys = t.store.keys.list;
  t.store.keys.list = async () => {
    throw new Error(`forced failure holding ${rolled.key} at /x?access_token=${IMPORTED}`);
  };
  record(await api.get('/v1/keys'));
  t.store.keys.list = listKeys;
  await t.usage.flush();
});

afterAll(async () => {
  await t.close();
});

const expectAbsent = (where: string, text: string) => {
  for (const [name, secret] of Object.entries(secrets))
    expect({ where, name, found: text.includes(secret) }).toEqual({ where, name, found: false });
};

describe('no canary secret anywhere it does not belong', () => {
  it('planted every one', () => {
    expect(Object.keys(secrets)).toHaveLength(13);
    expect(errorBodies.length).toBeGreaterThan(10);
  });

  it('no log line', () => {
    expect(t.lines.length).toBeGreaterThan(20);
    expect(t.lines.some((l) => l.includes('"msg":"request failed"'))).toBe(true);
    expectAbsent('logs', t.lines.join(''));
  });

  it('not the database file nor its WAL', () => {
    const bytes = t.files();
    expect(bytes.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(secrets))
      expect({ name, found: bytes.includes(Buffer.from(secret)) }).toEqual({ name, found: false });
  });

  it('not /metrics', async () => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expectAbsent('metrics', metrics.body);
  });

  it('no error body', () => {
    expectAbsent('error bodies', errorBodies.join('\n'));
  });

  it('not the audit log of either workspace', async () => {
    for (const key of [t.a.rootKey, t.b.rootKey]) {
      const audit = await call(t.app, key, 'GET', '/v1/audit-events?limit=100');
      expect(audit.json().items.length).toBeGreaterThan(0);
      expectAbsent('audit', audit.body);
    }
  });

  it('no webhook payload, while events were queued', () => {
    const payloads = t.database.prepare('select event_type, payload from webhook_messages').all() as Array<{
      event_type: string;
      payload: string;
    }>;
    expect(payloads.map((p) => p.event_type)).toContain('key.leaked');
    expectAbsent('webhooks', payloads.map((p) => p.payload).join('\n'));
  });
});
