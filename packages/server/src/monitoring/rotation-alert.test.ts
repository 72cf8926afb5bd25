import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

const HOUR = 3_600_000;
/** 20 hours of grace: the watched end part is its last 10%, 2 hours. */
const GRACE = 20 * HOUR;

let t: TestApp;
let api: TestClient;
beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
});
afterEach(async () => {
  await t.close();
});

async function rolledKey() {
  const apiId = (await api.post('/v1/apis', { name: 'charging', prefix: 'amp' })).json().id;
  const { id, key: oldKey } = (await api.post('/v1/keys', { apiId })).json();
  const rolledAt = t.clock.now();
  await api.post(`/v1/keys/${id}/roll`, { gracePeriodMs: GRACE });
  return { id, oldKey, rolledAt };
}

/** The old secret presented now (and written to the usage tables). */
async function useOld(key: string) {
  expect((await api.post('/v1/keys/verify', { key, ip: '203.0.113.9' })).json().code).toBe('VALID');
  await t.usage.flush();
}

const queued = (type: string) =>
  t.database
    .prepare('select payload from webhook_messages where workspace_id = ? and event_type = ?')
    .all(t.a.id, type) as Array<{ payload: string }>;

describe('rotation_grace_ending', () => {
  it('fires once when the old secret is used near the end of the grace, and resolves when it is over', async () => {
    await api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['key.rotation_grace_ending'] });
    const { id, oldKey, rolledAt } = await rolledKey();
    await useOld(oldKey);
    // Used early only: nothing near the end yet.
    t.clock.set(rolledAt + GRACE - 2 * HOUR - 1);
    expect((await t.monitor.runKeyStates()).raised).toEqual([]);

    t.clock.set(rolledAt + GRACE - 90 * 60_000);
    await useOld(oldKey);
    const run = await t.monitor.runKeyStates();
    expect(run.raised.map((a) => [a.detector, a.subject])).toEqual([
      ['rotation_grace_ending', { type: 'key', id }],
    ]);
    expect(run.raised[0]?.summary).not.toContain('203.0.113.9');
    const events = queued('key.rotation_grace_ending');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.payload ?? '{}').data).toMatchObject({
      keyId: id,
      rolledAt,
      graceUntil: rolledAt + GRACE,
      lastSeen: rolledAt + GRACE - 90 * 60_000,
      requests: 2,
    });

    // Still used, later passes: the same alert, no second one.
    t.clock.advance(30 * 60_000);
    await useOld(oldKey);
    expect((await t.monitor.runKeyStates()).raised).toEqual([]);
    t.clock.set(rolledAt + GRACE);
    expect((await t.monitor.runKeyStates()).resolved).toBe(1);
    expect(queued('key.rotation_grace_ending')).toHaveLength(1);
  });

  it('stays quiet when the old secret is idle in the end part, and for keys never rolled', async () => {
    const { oldKey, rolledAt } = await rolledKey();
    await useOld(oldKey);
    const apiId = (await api.get('/v1/apis')).json().items[0].id;
    const plain = (await api.post('/v1/keys', { apiId })).json();
    expect((await api.post('/v1/keys/verify', { key: plain.key })).json().code).toBe('VALID');
    await t.usage.flush();
    t.clock.set(rolledAt + GRACE - 30 * 60_000);
    expect((await t.monitor.runKeyStates()).raised).toEqual([]);
  });
});
