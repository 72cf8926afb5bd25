import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let api: TestClient;
beforeAll(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
  const apiId = (await api.post('/v1/apis', { name: 'a', prefix: 'aa' })).json().id;
  await api.post('/v1/keys', { apiId });
  await clientFor(t.app, t.b.rootKey).post('/v1/apis', { name: 'b', prefix: 'bb' });
});
afterAll(async () => {
  await t.close();
});

describe('/v1/audit-events', () => {
  it('lists with filters; the old /v1/audit answers a 308 to it, query kept', async () => {
    const events = (await api.get('/v1/audit-events')).json();
    const moved = await api.get('/v1/audit?action=api.create&limit=5');
    expect(moved.statusCode).toBe(308);
    expect(moved.headers.location).toBe('/v1/audit-events?action=api.create&limit=5');
    expect((await api.get('/v1/audit')).headers.location).toBe('/v1/audit-events');
    expect((await t.app.inject({ url: '/v1/audit' })).statusCode).toBe(401);
    expect(events.items.map((e: { action: string }) => e.action)).toContain('key.create');
    expect((await api.get('/v1/audit-events?action=api.create')).json().items).toHaveLength(1);
    expect((await api.get('/v1/audit-events?bogus=1')).statusCode).toBe(400);
  });

  it('verifies the workspace chain, with an anchor, and detects an edited row', async () => {
    const intact = (await api.get('/v1/audit-events/verify')).json();
    expect(intact).toMatchObject({ ok: true, brokenAt: null, reason: null });
    const { seq, hash } = intact.head;
    expect(intact.count).toBe(seq);
    expect((await api.get(`/v1/audit-events/verify?anchorSeq=${seq}&anchorHash=${hash}`)).json().ok).toBe(
      true,
    );
    expect((await api.get(`/v1/audit-events/verify?anchorSeq=${seq}`)).json().errors[0].field).toBe(
      'querystring.anchorHash',
    );
    const forged = 'f'.repeat(64);
    expect(
      (await api.get(`/v1/audit-events/verify?anchorSeq=${seq}&anchorHash=${forged}`)).json(),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('anchor'),
    });

    const [victim] = (await api.get('/v1/audit-events?action=key.create')).json().items;
    t.database.prepare(`update audit_events set after_data = '{}' where id = ?`).run(victim.id);
    expect((await api.get('/v1/audit-events/verify')).json()).toMatchObject({
      ok: false,
      brokenAt: victim.id,
      count: null,
    });
    // Another workspace's chain is its own.
    expect((await clientFor(t.app, t.b.rootKey).get('/v1/audit-events/verify')).json().ok).toBe(true);
    expect(
      (await clientFor(t.app, await t.rootKey(['keys:read'])).get('/v1/audit-events/verify')).statusCode,
    ).toBe(403);
  });
});
