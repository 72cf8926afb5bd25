import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

const HOUR = 3_600_000;

let t: TestApp;
let api: TestClient;
let apiId: string;

beforeEach(async () => {
  t = await createTestApp();
  api = clientFor(t.app, t.a.rootKey);
  apiId = (await api.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' })).json().id;
});
afterEach(async () => {
  await t.close();
});

const code = async (key: string) => (await api.post('/v1/keys/verify', { key })).json().code;

/** A key rolled now with an hour of grace. */
async function rolled() {
  const { id, key: oldKey } = (await api.post('/v1/keys', { apiId })).json();
  const rolledAt = t.clock.now();
  const newKey = (await api.post(`/v1/keys/${id}/roll`, { gracePeriodMs: HOUR })).json().key as string;
  return { id, oldKey, newKey, rolledAt };
}

describe('GET /v1/keys/:id/rotation', () => {
  it('answers state none for a key never rolled', async () => {
    const { id } = (await api.post('/v1/keys', { apiId })).json();
    const res = await api.get(`/v1/keys/${id}/rotation`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      keyId: id,
      state: 'none',
      rolledAt: null,
      graceUntil: null,
      olderInGrace: 0,
      previous: null,
      current: null,
    });
  });

  it('takes the user agent the verify API is given (`client`, as the SDK and the gateway send it)', async () => {
    const { id, oldKey } = await rolled();
    const answer = await api.post('/v1/keys/verify', {
      key: oldKey,
      ip: '203.0.113.7',
      client: { userAgent: 'legacy-billing/1.4' },
    });
    expect(answer.json()).toMatchObject({ code: 'VALID', keyId: id });
    await t.usage.flush();
    const view = (await api.get(`/v1/keys/${id}/rotation`)).json();
    expect(view.previous).toMatchObject({
      requests: 1,
      userAgents: { distinct: 1, recent: [{ value: 'legacy-billing/1.4', requests: 1 }] },
    });
  });

  it('shows who still uses the old secret and who the new one, apart', async () => {
    const { id, oldKey, newKey, rolledAt } = await rolled();
    t.clock.advance(1000);
    const legacy = { ip: '203.0.113.7', client: { userAgent: 'legacy-billing/1.4' } };
    await t.engine.verifyKey(oldKey, legacy);
    await t.engine.verifyKey(oldKey, legacy);
    await t.engine.verifyKey(newKey, { ip: '198.51.100.2', client: { userAgent: 'billing/2.0' } });
    await t.usage.flush();
    const view = (await api.get(`/v1/keys/${id}/rotation`)).json();
    expect(view).toMatchObject({ state: 'grace', rolledAt, graceUntil: rolledAt + HOUR, olderInGrace: 0 });
    expect(view.previous).toEqual({
      requests: 2,
      valid: 2,
      firstSeen: rolledAt + 1000,
      lastSeen: rolledAt + 1000,
      ips: {
        distinct: 1,
        capped: false,
        recent: [{ value: '203.0.113.7', requests: 2, lastSeen: rolledAt + 1000 }],
      },
      userAgents: {
        distinct: 1,
        capped: false,
        recent: [{ value: 'legacy-billing/1.4', requests: 2, lastSeen: rolledAt + 1000 }],
      },
    });
    expect(view.current).toMatchObject({ requests: 1, userAgents: { recent: [{ value: 'billing/2.0' }] } });
    // The view names no secret or digest.
    expect(JSON.stringify(view)).not.toContain(oldKey.slice(9, 20));
  });
});

describe('POST /v1/keys/:id/rotation/extend and /end', () => {
  it('extends the grace: the old secret verifies past its first deadline, through the cache', async () => {
    const { id, oldKey, rolledAt } = await rolled();
    expect(await code(oldKey)).toBe('VALID');
    const res = await api.post(`/v1/keys/${id}/rotation/extend`, { extendBySeconds: 3600 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'grace', graceUntil: rolledAt + 2 * HOUR });
    t.clock.advance(HOUR + 1);
    expect(await code(oldKey)).toBe('VALID');
    const until = rolledAt + 3 * HOUR;
    expect((await api.post(`/v1/keys/${id}/rotation/extend`, { graceUntil: until })).json().graceUntil).toBe(
      until,
    );
    t.clock.set(until);
    expect(await code(oldKey)).toBe('REVOKED');
    const audit = (await api.get(`/v1/audit-events?targetId=${id}&action=key.grace_extend`)).json().items;
    expect(audit).toHaveLength(2);
    expect(audit[1]).toMatchObject({
      before: { graceUntil: rolledAt + 2 * HOUR },
      after: { graceUntil: until },
    });
  });

  it('ends the grace: the old secret answers REVOKED at once, the new one stays VALID', async () => {
    const { id, oldKey, newKey } = await rolled();
    expect(await code(oldKey)).toBe('VALID');
    const res = await api.post(`/v1/keys/${id}/rotation/end`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'ended', graceUntil: t.clock.now() });
    expect(await code(oldKey)).toBe('REVOKED');
    expect(await code(newKey)).toBe('VALID');
    expect((await api.get(`/v1/audit-events?targetId=${id}&action=key.grace_end`)).json().items).toHaveLength(
      1,
    );
    // Nothing left to end or extend.
    const again = await api.post(`/v1/keys/${id}/rotation/end`);
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await api.post(`/v1/keys/${id}/rotation/extend`, { extendBySeconds: 60 })).statusCode).toBe(409);
  });

  it('refuses a bad extension with problem+json naming the field, and changes nothing', async () => {
    const { id, rolledAt } = await rolled();
    const cases: Array<[unknown, string]> = [
      [{}, 'body'],
      [{ graceUntil: rolledAt + 2 * HOUR, extendBySeconds: 60 }, 'body'],
      [{ graceUntil: rolledAt + HOUR - 1 }, 'body.graceUntil'],
      [{ graceUntil: rolledAt + 31 * 24 * HOUR }, 'body.graceUntil'],
      [{ extendBySeconds: 30 * 24 * 3600 }, 'body.extendBySeconds'],
      [{ extendBySeconds: 0 }, 'body.extendBySeconds'],
      [{ extendBy: 60 }, 'body.extendBy'],
    ];
    for (const [body, field] of cases) {
      const res = await api.post(`/v1/keys/${id}/rotation/extend`, body);
      expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect({ body, field: res.json().errors?.[0]?.field }).toEqual({ body, field });
    }
    expect((await api.get(`/v1/keys/${id}/rotation`)).json().graceUntil).toBe(rolledAt + HOUR);
    expect((await api.post('/v1/keys/key_unknown/rotation/end')).statusCode).toBe(404);
  });

  it("is scoped to the workspace and the root key's permissions", async () => {
    const { id, oldKey } = await rolled();
    const asB = clientFor(t.app, t.b.rootKey);
    expect((await asB.get(`/v1/keys/${id}/rotation`)).statusCode).toBe(404);
    expect((await asB.post(`/v1/keys/${id}/rotation/end`)).statusCode).toBe(404);
    const reader = clientFor(t.app, await t.rootKey(['keys:read']));
    expect((await reader.get(`/v1/keys/${id}/rotation`)).statusCode).toBe(200);
    expect((await reader.post(`/v1/keys/${id}/rotation/end`)).statusCode).toBe(403);
    expect(await code(oldKey)).toBe('VALID');
  });
});
