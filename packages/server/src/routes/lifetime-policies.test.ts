import { DAY_MS } from '@keyward/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let api: TestClient;
let apiId: string;
beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
  apiId = (await api.post('/v1/apis', { name: 'charging', prefix: 'amp' })).json().id;
});
afterEach(async () => {
  await t.close();
});

const path = () => `/v1/apis/${apiId}/policies/lifetime`;

describe('/v1/apis/:id/policies/lifetime', () => {
  it('replaces, reads and deletes the policy, with defaults for left-out fields, audited', async () => {
    expect((await api.get(path())).statusCode).toBe(404);
    const put = await api.put(path(), { rotateAfterDays: 90, rotationGraceDays: 14, remindBeforeDays: 7 });
    expect(put.statusCode).toBe(200);
    const view = {
      apiId,
      maxTtlDays: null,
      rotateAfterDays: 90,
      rotationGraceDays: 14,
      idleDisableAfterDays: null,
      remindBeforeDays: 7,
      mode: 'enforce',
      createdAt: t.clock.now(),
      updatedAt: t.clock.now(),
    };
    expect(put.json()).toEqual(view);
    expect((await api.get(path())).json()).toEqual(view);
    t.clock.advance(1000);
    const dryRun = (await api.put(path(), { idleDisableAfterDays: 30, mode: 'dry-run' })).json();
    expect(dryRun).toMatchObject({ rotateAfterDays: null, idleDisableAfterDays: 30, mode: 'dry-run' });
    expect(dryRun.createdAt).toBe(view.createdAt);
    expect((await api.delete(path())).statusCode).toBe(204);
    expect((await api.get(path())).statusCode).toBe(404);
    expect((await api.delete(path())).statusCode).toBe(404);
    const audit = (await api.get(`/v1/audit-events?targetId=${apiId}`)).json().items;
    expect(audit.map((event: { action: string }) => event.action).sort()).toEqual([
      'api.create',
      'api.lifetime_policy.delete',
      'api.lifetime_policy.update',
      'api.lifetime_policy.update',
    ]);
  });

  it('refuses a bad field with a problem naming it, and changes nothing', async () => {
    const before = t.dump();
    for (const [body, field] of [
      [{ maxTtlDays: 0 }, 'body.maxTtlDays'],
      [{ rotateAfterDays: 1.5 }, 'body.rotateAfterDays'],
      [{ mode: 'shadow' }, 'body.mode'],
      [{ remindBeforeDays: -1 }, 'body.remindBeforeDays'],
      [{ ttl: 3 }, 'body.ttl'],
    ] as const) {
      const res = await api.put(path(), body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.json().errors)).toContain(field.replace('body.', ''));
    }
    expect(t.dump()).toEqual(before);
  });

  it("is another workspace's API: 404, and it needs apis:write to change", async () => {
    const other = clientFor(t.app, t.b.rootKey);
    expect((await other.put(path(), { maxTtlDays: 1 })).statusCode).toBe(404);
    expect((await other.get(path())).statusCode).toBe(404);
    const reader = clientFor(t.app, await t.rootKey(['apis:read']));
    expect((await reader.put(path(), { maxTtlDays: 1 })).statusCode).toBe(403);
    expect((await api.get(path())).statusCode).toBe(404);
  });
});

describe('max TTL (enforce mode)', () => {
  beforeEach(async () => {
    await api.put(path(), { maxTtlDays: 30 });
  });

  it('gives a new key without expiresAt the maximum, and refuses one beyond it (422 naming expiresAt)', async () => {
    const created = await api.post('/v1/keys', { apiId });
    expect(created.statusCode).toBe(201);
    expect(created.json().expiresAt).toBe(t.clock.now() + 30 * DAY_MS);
    const within = await api.post('/v1/keys', { apiId, expiresAt: t.clock.now() + 30 * DAY_MS });
    expect(within.statusCode).toBe(201);
    const before = t.dump();
    for (const expiresAt of [t.clock.now() + 30 * DAY_MS + 1, null]) {
      const refused = await api.post('/v1/keys', { apiId, expiresAt });
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ errors: [{ field: 'body.expiresAt' }] });
    }
    const imported = await api.post('/v1/keys/import', {
      apiId,
      keys: [{ plaintext: 'legacy_0123456789abcdefghijkl', expiresAt: t.clock.now() + 31 * DAY_MS }],
    });
    expect(imported.statusCode).toBe(422);
    expect(imported.json()).toMatchObject({ errors: [{ field: 'body.keys[0].expiresAt' }] });
    expect(t.dump()).toEqual(before);
  });

  it('refuses an update beyond the maximum or to never, and leaves an update without expiresAt alone', async () => {
    const key = (await api.post('/v1/keys', { apiId })).json();
    t.clock.advance(DAY_MS);
    expect((await api.patch(`/v1/keys/${key.id}`, { expiresAt: null })).statusCode).toBe(422);
    const beyond = await api.patch(`/v1/keys/${key.id}`, { expiresAt: t.clock.now() + 31 * DAY_MS });
    expect(beyond.json()).toMatchObject({ status: 422, errors: [{ field: 'body.expiresAt' }] });
    expect((await api.patch(`/v1/keys/${key.id}`, { name: 'renamed' })).statusCode).toBe(200);
    const extended = await api.patch(`/v1/keys/${key.id}`, { expiresAt: t.clock.now() + 30 * DAY_MS });
    expect(extended.json().expiresAt).toBe(t.clock.now() + 30 * DAY_MS);
  });

  it('refuses nothing in dry-run mode', async () => {
    await api.put(path(), { maxTtlDays: 30, mode: 'dry-run' });
    const created = await api.post('/v1/keys', { apiId, expiresAt: null });
    expect(created.statusCode).toBe(201);
    expect(created.json().expiresAt).toBeNull();
  });
});

describe('rotation through the verify API (fake time)', () => {
  it('answers VALID with a ROTATION_DUE warning, then DISABLED after the grace', async () => {
    await api.put(path(), { rotateAfterDays: 10, rotationGraceDays: 2 });
    const key = (await api.post('/v1/keys', { apiId })).json();
    const created = t.clock.now();
    const fresh = (await api.post('/v1/keys/verify', { key: key.key })).json();
    expect(fresh.code).toBe('VALID');
    expect(fresh).not.toHaveProperty('warnings');
    t.clock.advance(10 * DAY_MS);
    const due = (await api.post('/v1/keys/verify', { key: key.key })).json();
    expect(due).toMatchObject({
      valid: true,
      warnings: [{ code: 'ROTATION_DUE', dueAt: created + 10 * DAY_MS, rotateBy: created + 12 * DAY_MS }],
    });
    t.clock.advance(2 * DAY_MS);
    expect((await api.post('/v1/keys/verify', { key: key.key })).json()).toMatchObject({
      valid: false,
      code: 'DISABLED',
    });
    // Rolling issues a fresh secret: valid again, without warnings.
    const rolled = (await api.post(`/v1/keys/${key.id}/roll`, {})).json();
    const after = (await api.post('/v1/keys/verify', { key: rolled.key })).json();
    expect(after.code).toBe('VALID');
    expect(after).not.toHaveProperty('warnings');
  });
});
