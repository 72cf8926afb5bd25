import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let api: TestClient;

beforeEach(async () => {
  t = await createTestApp();
  api = clientFor(t.app, t.a.rootKey);
});
afterEach(async () => {
  await t.close();
});

describe('audit events', () => {
  it('records every admin write with actor, target, before/after views, ip and request id', async () => {
    const apiId = (await api.post('/v1/apis', { name: 'A', prefix: 'aaa' })).json().id;
    const created = (await api.post('/v1/keys', { apiId, name: 'k' }, { 'x-request-id': 'req-123' })).json();
    await api.patch(`/v1/keys/${created.id}`, { name: 'k2' });
    await api.post(`/v1/keys/${created.id}/roll`, { gracePeriodMs: 1000 });
    await api.post(`/v1/keys/${created.id}/revoke`);
    await api.delete(`/v1/keys/${created.id}`);
    await api.post('/v1/keys/verify', { key: created.key });
    await api.get('/v1/keys');

    const events = (await api.get('/v1/audit-events?limit=100')).json().items;
    // The fixture's root key first; verify and reads are not admin writes.
    expect(events.map((e: { action: string }) => e.action)).toEqual([
      'root_key.create',
      'api.create',
      'key.create',
      'key.update',
      'key.roll',
      'key.revoke',
      'key.delete',
    ]);
    const create = events.find((e: { action: string }) => e.action === 'key.create');
    expect(create).toMatchObject({
      actor: t.a.rootKeyId,
      targetType: 'key',
      targetId: created.id,
      before: null,
      after: { id: created.id, name: 'k', hint: created.hint },
      ip: '127.0.0.1',
      requestId: 'req-123',
    });
    const update = events.find((e: { action: string }) => e.action === 'key.update');
    expect(update.before.name).toBe('k');
    expect(update.after.name).toBe('k2');
    const text = JSON.stringify(events);
    expect(text).not.toContain(created.key);
    expect(text).not.toMatch(/"digest"/);
  });

  it('filters by action, target and time', async () => {
    await api.post('/v1/apis', { name: 'A', prefix: 'aaa' });
    t.clock.advance(10_000);
    const apiId = (await api.post('/v1/apis', { name: 'B', prefix: 'bbb' })).json().id;
    const byAction = (await api.get('/v1/audit-events?action=api.create')).json().items;
    expect(byAction).toHaveLength(2);
    expect((await api.get(`/v1/audit-events?targetId=${apiId}`)).json().items).toHaveLength(1);
    expect((await api.get(`/v1/audit-events?from=${t.clock.now()}`)).json().items).toHaveLength(1);
    expect((await api.get('/v1/audit-events?bogus=1')).json().errors[0].field).toBe('querystring.bogus');
  });

  it('requires audit:read', async () => {
    const reader = clientFor(t.app, await t.rootKey(['keys:read']));
    expect((await reader.get('/v1/audit-events')).statusCode).toBe(403);
    expect((await clientFor(t.app, await t.rootKey(['audit:read'])).get('/v1/audit-events')).statusCode).toBe(
      200,
    );
  });
});
