import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { call, clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let api: TestClient;
beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
});
afterEach(async () => {
  await t.close();
});

async function issueKey(body: Record<string, unknown> = {}) {
  const apiId = (await api.post('/v1/apis', { name: 'charging', prefix: 'amp' })).json().id;
  return (await api.post('/v1/keys', { apiId, ...body })).json() as { id: string; key: string };
}

const verify = (key: string, ip: string) => api.post('/v1/keys/verify', { key, ip });

/** Event types queued in the outbox for workspace A, in order. */
const queued = (): string[] =>
  (
    t.database
      .prepare('select event_type from webhook_messages where workspace_id = ? order by id')
      .all(t.a.id) as Array<{ event_type: string }>
  ).map((row) => row.event_type);

describe('monitor', () => {
  it('quarantines a key used from too many addresses, reversibly, and announces it', async () => {
    await call(t.app, t.a.rootKey, 'PUT', '/v1/workspace/policy', {
      ipSpread: { maxDistinctIps: 5 },
      quarantine: ['ip_spread'],
    });
    await api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['alert.raised', 'key.updated'] });
    const key = await issueKey();
    const quiet = await issueKey();
    for (let i = 0; i < 10; i++) expect((await verify(key.key, `198.51.100.${i}`)).json().code).toBe('VALID');
    for (let i = 0; i < 10; i++) await verify(quiet.key, '192.0.2.1');
    await t.usage.flush();
    t.clock.advance(1000);

    const run = await t.monitor.runTraffic();
    expect(run.raised.map((a) => [a.detector, a.subject.id])).toEqual([['ip_spread', key.id]]);
    expect(run.quarantined).toEqual([key.id]);
    const alertId = run.raised[0]?.id as string;

    const view = (await api.get(`/v1/keys/${key.id}`)).json();
    expect(view).toMatchObject({
      enabled: false,
      status: 'disabled',
      disabledReason: `quarantined: possible leak (alert ${alertId})`,
    });
    // Every cache dropped the key at once.
    expect((await verify(key.key, '198.51.100.1')).json().code).toBe('DISABLED');
    expect((await verify(quiet.key, '192.0.2.1')).json().code).toBe('VALID');
    expect((await api.get(`/v1/alerts/${alertId}`)).json()).toMatchObject({
      quarantinedAt: expect.any(Number),
      evidence: { distinctIps: 10, maxDistinctIps: 5 },
    });
    const audit = (await api.get(`/v1/audit-events?targetId=${key.id}&action=key.update`)).json().items;
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'system', after: expect.objectContaining({ enabled: false }) }),
    ]);
    expect(queued()).toEqual(['key.updated', 'alert.raised']);

    // Still active: a second pass neither raises again nor re-quarantines.
    const reenabled = await api.patch(`/v1/keys/${key.id}`, { enabled: true });
    expect(reenabled.json()).toMatchObject({ enabled: true, disabledReason: null });
    expect((await verify(key.key, '198.51.100.1')).json().code).toBe('VALID');
    await t.usage.flush();
    t.clock.advance(1000);
    await expect(t.monitor.runTraffic()).resolves.toMatchObject({ raised: [], quarantined: [] });
    expect((await api.get(`/v1/keys/${key.id}`)).json().enabled).toBe(true);

    // Once the window has passed, the alert resolves.
    t.clock.advance(3_600_000);
    await expect(t.monitor.runTraffic()).resolves.toMatchObject({ resolved: 1 });
    expect((await api.get(`/v1/alerts/${alertId}`)).json().status).toBe('resolved');
  });

  it('does not quarantine without a policy asking for it', async () => {
    await call(t.app, t.a.rootKey, 'PUT', '/v1/workspace/policy', { ipSpread: { maxDistinctIps: 5 } });
    const key = await issueKey();
    for (let i = 0; i < 10; i++) await verify(key.key, `198.51.100.${i}`);
    await t.usage.flush();
    t.clock.advance(1000);
    const run = await t.monitor.runTraffic();
    expect(run.raised).toHaveLength(1);
    expect(run.quarantined).toEqual([]);
    expect((await api.get(`/v1/keys/${key.id}`)).json().enabled).toBe(true);
  });

  it('attributes unknown keys presented to a workspace to it, and alerts on brute force there only', async () => {
    const { key } = await issueKey();
    const guess = (i: number) => `${key.slice(0, -10)}${String(i).padStart(10, '0')}`;
    for (let i = 0; i < 120; i++) {
      expect((await verify(guess(i), '203.0.113.66')).json().code).toBe('NOT_FOUND');
    }
    await t.usage.flush();
    t.clock.advance(1000);
    const run = await t.monitor.runTraffic();
    expect(run.raised.map((a) => [a.workspaceId, a.detector, a.subject])).toEqual([
      [t.a.id, 'brute_force', { type: 'ip', id: '203.0.113.66' }],
    ]);
    expect(run.raised[0]?.evidence).toMatchObject({ attempts: 120 });
    expect((await clientFor(t.app, t.b.rootKey).get('/v1/alerts')).json().items).toEqual([]);
  });

  it('raises credits_low and queues usage.threshold; expiring keys too', async () => {
    await api.post('/v1/webhooks', {
      url: 'http://127.0.0.1:9/x',
      events: ['usage.threshold', 'alert.raised'],
    });
    const low = await issueKey({ credits: { remaining: 5, refill: { interval: 'daily', amount: 100 } } });
    const expiring = await issueKey({ expiresAt: t.clock.now() + 2 * 86_400_000 });
    await issueKey({ credits: { remaining: 500, refill: { interval: 'daily', amount: 100 } } });
    const run = await t.monitor.runKeyStates();
    expect(run.raised.map((a) => [a.detector, a.subject.id]).sort()).toEqual(
      [
        ['credits_low', low.id],
        ['key_expiring', expiring.id],
      ].sort(),
    );
    expect(queued().sort()).toEqual(['alert.raised', 'alert.raised', 'usage.threshold']);
    const threshold = t.database
      .prepare("select payload from webhook_messages where event_type = 'usage.threshold'")
      .get() as { payload: string };
    expect(JSON.parse(threshold.payload).data).toMatchObject({
      subject: { type: 'key', id: low.id },
      remaining: 5,
      threshold: 10,
      refillAmount: 100,
    });
  });
});
