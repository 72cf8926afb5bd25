import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { call, clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let api: TestClient;
let apiId: string;
beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
  apiId = (await api.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' })).json().id;
});
afterEach(async () => {
  await t.close();
});

const APP = 'https://app.example.com';
const fromBrowser = (origin = APP) => ({ origin, secFetchSite: 'cross-site', secFetchMode: 'cors' });

const setPolicy = (body: object, rootKey = t.a.rootKey) =>
  call(t.app, rootKey, 'PUT', `/v1/apis/${apiId}/policies/publishable`, body);
const verify = async (body: object) => {
  const res = await api.post('/v1/keys/verify', body);
  expect(res.statusCode).toBe(200);
  return res.json();
};

describe('publishable keys through the admin and verify APIs', () => {
  it('issues a key with its own prefix and kind, and verifies it from allowed origins only', async () => {
    const policy = await setPolicy({ publicPermissions: ['stations:read'], allowedOrigins: [APP] });
    expect(policy.statusCode).toBe(200);
    expect(policy.json()).toEqual({
      apiId,
      publicPermissions: ['stations:read'],
      allowedOrigins: [APP],
      updatedAt: t.clock.now(),
    });
    const created = await api.post('/v1/keys', {
      apiId,
      kind: 'publishable',
      permissions: ['stations:read', 'sessions:write'],
    });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key.kind).toBe('publishable');
    expect(key.key).toMatch(/^amp_live_pub_[0-9A-Za-z]{36}$/);

    const ok = await verify({ key: key.key, permissions: 'stations:read', client: fromBrowser() });
    expect(ok).toMatchObject({ valid: true, code: 'VALID', permissions: ['stations:read'] });
    await expect(
      verify({ key: key.key, permissions: 'stations:read', client: fromBrowser('https://evil.test') }),
    ).resolves.toMatchObject({ valid: false, code: 'FORBIDDEN_ORIGIN' });
    await expect(verify({ key: key.key, permissions: 'stations:read' })).resolves.toMatchObject({
      code: 'FORBIDDEN_ORIGIN',
    });
    await expect(
      verify({ key: key.key, permissions: 'sessions:write', client: fromBrowser() }),
    ).resolves.toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS' });

    // A rolled publishable key stays publishable.
    const rolled = (await api.post(`/v1/keys/${key.id}/roll`, { gracePeriodMs: 0 })).json();
    expect(rolled.key).toMatch(/^amp_live_pub_/);
  });

  it('takes a policy change at once (the cached key is dropped)', async () => {
    await setPolicy({ publicPermissions: ['stations:read'], allowedOrigins: [APP] });
    const key = (
      await api.post('/v1/keys', { apiId, kind: 'publishable', permissions: ['stations:read'] })
    ).json();
    const body = { key: key.key, permissions: 'stations:read', client: fromBrowser() };
    await expect(verify(body)).resolves.toMatchObject({ code: 'VALID' });
    await setPolicy({ publicPermissions: ['stations:read'], allowedOrigins: ['https://other.example.com'] });
    await expect(verify(body)).resolves.toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
  });

  it('refuses a publishable key with credits, on create and on update, changing nothing', async () => {
    const refused = await api.post('/v1/keys', { apiId, kind: 'publishable', credits: { remaining: 10 } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ errors: [expect.objectContaining({ field: 'body.credits' })] });
    await expect(api.get(`/v1/keys?apiId=${apiId}`).then((r) => r.json().items)).resolves.toEqual([]);
    const key = (await api.post('/v1/keys', { apiId, kind: 'publishable' })).json();
    const update = await api.patch(`/v1/keys/${key.id}`, { credits: { remaining: 10 } });
    expect(update.statusCode).toBe(400);
    expect((await api.get(`/v1/keys/${key.id}`)).json().credits).toBeNull();
  });

  it('answers 400 naming the field for a bad policy, and changes nothing', async () => {
    for (const body of [
      { publicPermissions: ['stations:read'], allowedOrigins: ['app.example.com'] },
      { publicPermissions: ['stations:read'], allowedOrigins: ['https://app.example.com/path'] },
      { publicPermissions: ['bad perm'], allowedOrigins: [] },
    ]) {
      const res = await setPolicy(body);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].field).toMatch(/^body\.(allowedOrigins|publicPermissions)/);
    }
    expect((await api.get(`/v1/apis/${apiId}/policies/publishable`)).json()).toEqual({
      apiId,
      publicPermissions: [],
      allowedOrigins: [],
      updatedAt: null,
    });
  });

  it('is no leak: a reported publishable key stays enabled', async () => {
    const key = (await api.post('/v1/keys', { apiId, kind: 'publishable' })).json();
    const report = await api.post('/v1/keys/report-leak', { keys: [{ key: key.key, source: 'gitleaks' }] });
    expect(report.statusCode).toBe(200);
    expect(report.json().items).toEqual([expect.objectContaining({ keyId: null, action: 'none' })]);
    expect((await api.get(`/v1/keys/${key.id}`)).json()).toMatchObject({ enabled: true });
  });

  it('is a root key never: a publishable key does not open the admin API', async () => {
    await setPolicy({ publicPermissions: ['stations:read'], allowedOrigins: [APP] });
    const key = (await api.post('/v1/keys', { apiId, kind: 'publishable' })).json();
    const res = await clientFor(t.app, key.key).get('/v1/apis');
    expect(res.statusCode).toBe(401);
  });

  it('keeps policies to their workspace', async () => {
    const other = clientFor(t.app, t.b.rootKey);
    expect((await other.get(`/v1/apis/${apiId}/policies/publishable`)).statusCode).toBe(404);
    const put = await setPolicy({ publicPermissions: ['*'], allowedOrigins: [APP] }, t.b.rootKey);
    expect(put.statusCode).toBe(404);
    expect((await api.get(`/v1/apis/${apiId}/policies/publishable`)).json().updatedAt).toBeNull();
    const reader = await t.rootKey(['apis:read']);
    expect((await setPolicy({ publicPermissions: [], allowedOrigins: [] }, reader)).statusCode).toBe(403);
  });
});

describe('secret keys seen in a browser', () => {
  /** Event types queued in the outbox for workspace A, in order. */
  const queued = (): string[] =>
    (
      t.database
        .prepare('select event_type from webhook_messages where workspace_id = ? order by id')
        .all(t.a.id) as Array<{ event_type: string }>
    ).map((row) => row.event_type);

  it('raises one key_exposed_in_client alert per key with evidence, counting later sightings', async () => {
    await api.post('/v1/webhooks', {
      url: 'http://127.0.0.1:9/x',
      events: ['alert.raised', 'key.exposed_in_client'],
    });
    const key = (await api.post('/v1/keys', { apiId })).json();
    const client = { ...fromBrowser(), userAgent: 'Mozilla/5.0 Firefox/133.0' };
    await expect(verify({ key: key.key, client })).resolves.toMatchObject({ code: 'VALID' });
    await expect(verify({ key: key.key, client })).resolves.toMatchObject({ code: 'VALID' });
    await t.exposures.drain();
    const alerts = (await api.get('/v1/alerts?detector=key_exposed_in_client')).json().items;
    expect(alerts).toEqual([
      expect.objectContaining({
        detector: 'key_exposed_in_client',
        subject: { type: 'key', id: key.id },
        occurrences: 1,
        evidence: expect.objectContaining({
          origin: APP,
          secFetchSite: 'cross-site',
          userAgent: 'Mozilla/5.0 Firefox/133.0',
          keyHint: key.hint,
          action: 'alert',
        }),
      }),
    ]);
    expect(JSON.stringify(alerts)).not.toContain(key.key);
    expect(queued()).toEqual(['alert.raised', 'key.exposed_in_client']);
    // A minute later the next sighting refreshes the same alert.
    t.clock.advance(61_000);
    await verify({ key: key.key, client });
    await t.exposures.drain();
    const again = (await api.get('/v1/alerts?detector=key_exposed_in_client')).json().items;
    expect(again).toEqual([expect.objectContaining({ id: alerts[0].id, occurrences: 2 })]);
    expect((await api.get(`/v1/keys/${key.id}`)).json().enabled).toBe(true);
    expect(queued()).toEqual(['alert.raised', 'key.exposed_in_client']);
  });

  it('quarantines the key under the clientExposure policy, audited as the system', async () => {
    const policy = await call(t.app, t.a.rootKey, 'PUT', '/v1/workspace/policy', {
      clientExposure: { action: 'quarantine' },
    });
    expect(policy.statusCode).toBe(200);
    expect(policy.json().clientExposure).toEqual({ action: 'quarantine' });
    const key = (await api.post('/v1/keys', { apiId })).json();
    await verify({ key: key.key, client: fromBrowser() });
    await t.exposures.drain();
    const view = (await api.get(`/v1/keys/${key.id}`)).json();
    expect(view).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('exposed_in_client'),
    });
    await expect(verify({ key: key.key })).resolves.toMatchObject({ code: 'DISABLED' });
    const audit = (await api.get(`/v1/audit-events?targetId=${key.id}&action=key.update`)).json().items;
    expect(audit).toEqual([expect.objectContaining({ actor: 'system' })]);
    const [alert] = (await api.get('/v1/alerts?detector=key_exposed_in_client')).json().items;
    expect(alert.quarantinedAt).not.toBeNull();
  });

  it('never fires for server-side clients (Node fetch hints, curl, none)', async () => {
    const key = (await api.post('/v1/keys', { apiId })).json();
    await verify({ key: key.key, client: { userAgent: 'node', secFetchMode: 'cors' } });
    await verify({ key: key.key, client: { userAgent: 'curl/8.5.0' } });
    await verify({ key: key.key });
    await t.exposures.drain();
    expect((await api.get('/v1/alerts?detector=key_exposed_in_client')).json().items).toEqual([]);
  });

  it('accepts client hints within bounds only (400 naming the field)', async () => {
    const key = (await api.post('/v1/keys', { apiId })).json();
    for (const client of [
      { origin: 'x'.repeat(513) },
      { userAgent: 'u'.repeat(257) },
      { secFetchSite: 'x'.repeat(33) },
      { other: 'x' },
    ]) {
      const res = await api.post('/v1/keys/verify', { key: key.key, client });
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(res.json())).toContain('body.client');
    }
  });
});
