import type { Finding } from '@keyward/core/monitoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { call, clientFor } from '../testing/test-client.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const finding = (
  detector: Finding['detector'],
  id: string,
  evidence: Record<string, unknown> = {},
): Finding => ({
  detector,
  subject: detector === 'brute_force' ? { type: 'ip', id } : { type: 'key', id },
  severity: 'warning',
  summary: `${detector} found`,
  evidence,
});

describe('/v1/alerts', () => {
  it('lists alerts newest first with filters and cursors, and shows one with its evidence', async () => {
    const now = t.clock.now();
    await t.monitoring.alerts.sync(
      t.a.id,
      ['ip_spread'],
      [finding('ip_spread', 'key_1', { distinctIps: 80 })],
      now,
    );
    await t.monitoring.alerts.sync(
      t.a.id,
      ['brute_force'],
      [finding('brute_force', '203.0.113.9', { attempts: 500 })],
      now,
    );
    await t.monitoring.alerts.sync(t.b.id, ['ip_spread'], [finding('ip_spread', 'key_b')], now);
    const api = clientFor(t.app, t.a.rootKey);

    const all = (await api.get('/v1/alerts')).json();
    expect(all.items.map((a: { detector: string }) => a.detector)).toEqual(['brute_force', 'ip_spread']);
    expect(all.items[0]).toMatchObject({
      subject: { type: 'ip', id: '203.0.113.9' },
      status: 'open',
      evidence: { attempts: 500 },
      occurrences: 1,
      quarantinedAt: null,
    });
    const first = (await api.get('/v1/alerts?limit=1')).json();
    expect(first.items).toHaveLength(1);
    const second = (await api.get(`/v1/alerts?limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.items[0].detector).toBe('ip_spread');
    expect((await api.get('/v1/alerts?keyId=key_1')).json().items).toHaveLength(1);
    expect((await api.get('/v1/alerts?detector=brute_force')).json().items).toHaveLength(1);
    expect((await api.get('/v1/alerts?status=resolved')).json().items).toEqual([]);
    expect((await api.get('/v1/alerts?status=bogus')).statusCode).toBe(400);

    const id = all.items[1].id;
    expect((await api.get(`/v1/alerts/${id}`)).json()).toMatchObject({ id, evidence: { distinctIps: 80 } });
  });

  it('acknowledges once (audited), idempotently, and keeps tenants apart', async () => {
    const [alert] = (await t.monitoring.alerts.list(t.a.id, { detector: 'ip_spread' })).items;
    const id = alert?.id as string;
    const other = clientFor(t.app, t.b.rootKey);
    expect((await other.get(`/v1/alerts/${id}`)).statusCode).toBe(404);
    expect((await other.post(`/v1/alerts/${id}/acknowledge`)).statusCode).toBe(404);
    expect(
      (await other.get('/v1/alerts')).json().items.map((a: { subject: { id: string } }) => a.subject.id),
    ).toEqual(['key_b']);

    const api = clientFor(t.app, t.a.rootKey);
    const acked = await api.post(`/v1/alerts/${id}/acknowledge`);
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: t.a.rootKeyId });
    expect((await api.post(`/v1/alerts/${id}/acknowledge`)).json()).toMatchObject({ status: 'acknowledged' });
    const audit = (await api.get('/v1/audit-events?action=alert.acknowledge')).json().items;
    expect(audit).toEqual([
      expect.objectContaining({
        targetId: id,
        before: { status: 'open' },
        after: { status: 'acknowledged' },
      }),
    ]);
    expect((await api.post('/v1/alerts/alert_unknown/acknowledge')).statusCode).toBe(404);
  });

  it('needs alerts:read to read and alerts:write to acknowledge', async () => {
    const reader = clientFor(t.app, await t.rootKey(['alerts:read']));
    const keysOnly = clientFor(t.app, await t.rootKey(['keys:write']));
    expect((await reader.get('/v1/alerts')).statusCode).toBe(200);
    expect((await keysOnly.get('/v1/alerts')).statusCode).toBe(403);
    const [alert] = (await t.monitoring.alerts.list(t.a.id, {})).items;
    expect((await reader.post(`/v1/alerts/${alert?.id}/acknowledge`)).statusCode).toBe(403);
    expect((await clientFor(t.app, null).get('/v1/alerts')).statusCode).toBe(401);
  });
});

describe('/v1/workspace/policy', () => {
  it('starts at the defaults, replaces them (audited), and names the field at fault', async () => {
    const api = clientFor(t.app, t.a.rootKey);
    const initial = (await api.get('/v1/workspace/policy')).json();
    expect(initial).toMatchObject({ ipSpread: { enabled: true, maxDistinctIps: 50 }, quarantine: [] });

    const put = await call(t.app, t.a.rootKey, 'PUT', '/v1/workspace/policy', {
      ipSpread: { maxDistinctIps: 10 },
      keyUnused: { enabled: false },
      quarantine: ['ip_spread', 'new_network'],
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      ipSpread: { enabled: true, maxDistinctIps: 10, windowMs: 900_000 },
      keyUnused: { enabled: false, days: 90 },
      quarantine: ['ip_spread', 'new_network'],
    });
    expect((await api.get('/v1/workspace/policy')).json()).toEqual(put.json());
    // Another tenant still has the defaults.
    expect((await clientFor(t.app, t.b.rootKey).get('/v1/workspace/policy')).json()).toEqual(initial);
    const audit = (await api.get('/v1/audit-events?action=workspace.policy.update')).json().items;
    expect(audit[0]).toMatchObject({
      before: { quarantine: [] },
      after: { quarantine: ['ip_spread', 'new_network'] },
    });

    const bad = await call(t.app, t.a.rootKey, 'PUT', '/v1/workspace/policy', {
      trafficSpike: { windowMs: 90_000 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.trafficSpike.windowMs');
    const unknown = await call(t.app, t.a.rootKey, 'PUT', '/v1/workspace/policy', {
      quarantine: ['brute_force'],
    });
    expect(unknown.statusCode).toBe(400);
    const reader = await t.rootKey(['alerts:read']);
    expect((await call(t.app, reader, 'PUT', '/v1/workspace/policy', {})).statusCode).toBe(403);
  });
});
