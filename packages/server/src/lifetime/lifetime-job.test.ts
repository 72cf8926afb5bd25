import { DAY_MS } from '@keyward/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';
import { createLifetimeJob } from './lifetime-job.js';

let t: TestApp;
let api: TestClient;
let apiId: string;
beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
  apiId = (await api.post('/v1/apis', { name: 'charging', prefix: 'amp' })).json().id;
  await api.post('/v1/webhooks', {
    url: 'http://127.0.0.1:9/x',
    events: ['key.expiring', 'key.rotation_due', 'key.idle', 'key.updated', 'alert.raised'],
  });
});
afterEach(async () => {
  await t.close();
});

const setPolicy = (body: Record<string, unknown>) => api.put(`/v1/apis/${apiId}/policies/lifetime`, body);
const issueKey = async (body: Record<string, unknown> = {}) =>
  (await api.post('/v1/keys', { apiId, ...body })).json() as {
    id: string;
    key: string;
    expiresAt: number | null;
  };
const verify = async (key: string) => (await api.post('/v1/keys/verify', { key })).json().code as string;

/** Webhook events queued for workspace A, in order, with their payloads. */
const queued = (): Array<{ type: string; data: Record<string, unknown> }> =>
  (
    t.database
      .prepare('select event_type, payload from webhook_messages where workspace_id = ? order by id')
      .all(t.a.id) as Array<{ event_type: string; payload: string }>
  ).map((row) => ({ type: row.event_type, data: JSON.parse(row.payload).data }));
const reminders = () =>
  queued().filter((event) => event.type !== 'key.updated' && event.type !== 'alert.raised');

describe('the key lifetime job (fake time)', () => {
  it('reminds once before the rotation deadline, then disables the key with rotation_required, audited as system', async () => {
    await setPolicy({ rotateAfterDays: 10, rotationGraceDays: 2, remindBeforeDays: 3 });
    const key = await issueKey();
    const start = t.clock.now();
    t.clock.set(start + 9 * DAY_MS - 1);
    expect(await t.lifetime.run()).toEqual({ disabled: [], notices: [], failed: 0 });

    t.clock.set(start + 9 * DAY_MS);
    const deadline = start + 12 * DAY_MS;
    const first = await t.lifetime.run();
    expect(first.notices).toEqual([{ keyId: key.id, kind: 'key.rotation_due', deadline }]);
    expect((await t.lifetime.run()).notices).toEqual([]);
    t.clock.advance(DAY_MS);
    expect((await t.lifetime.run()).notices).toEqual([]);
    const sent = reminders();
    expect(sent).toEqual([{ type: 'key.rotation_due', data: expect.objectContaining({ deadline }) }]);
    // Hints only: no secret in the payload.
    expect(JSON.stringify(sent)).not.toContain(key.key);
    const alerts = (await api.get('/v1/alerts')).json().items;
    expect(alerts).toEqual([
      expect.objectContaining({ detector: 'key_lifetime', subject: { type: 'key', id: key.id } }),
    ]);

    t.clock.set(deadline);
    // The engine refuses it from the deadline already; the job makes it durable.
    expect(await verify(key.key)).toBe('DISABLED');
    expect((await t.lifetime.run()).disabled).toEqual([{ keyId: key.id, reason: 'rotation_required' }]);
    expect((await api.get(`/v1/keys/${key.id}`)).json()).toMatchObject({
      enabled: false,
      disabledReason: 'rotation_required',
    });
    const audit = (await api.get(`/v1/audit-events?targetId=${key.id}&action=key.update`)).json().items;
    expect(audit).toEqual([expect.objectContaining({ actor: 'system' })]);
    expect(queued().map((event) => event.type)).toContain('key.updated');
    expect((await t.lifetime.run()).disabled).toEqual([]);
  });

  it('disables keys unused for idleDisableAfterDays (never used: since creation), after one reminder each', async () => {
    await setPolicy({ idleDisableAfterDays: 5, remindBeforeDays: 2 });
    const start = t.clock.now();
    const used = await issueKey();
    const unused = await issueKey();
    t.clock.set(start + DAY_MS);
    expect(await verify(used.key)).toBe('VALID');
    await t.usage.flush();

    t.clock.set(start + 3 * DAY_MS);
    const reminded = await t.lifetime.run();
    expect(reminded.notices).toEqual([{ keyId: unused.id, kind: 'key.idle', deadline: start + 5 * DAY_MS }]);
    t.clock.set(start + 5 * DAY_MS);
    const run = await t.lifetime.run();
    expect(run.disabled).toEqual([{ keyId: unused.id, reason: 'idle' }]);
    expect(run.notices).toEqual([{ keyId: used.id, kind: 'key.idle', deadline: start + 6 * DAY_MS }]);
    expect(await verify(unused.key)).toBe('DISABLED');
    expect(await verify(used.key)).toBe('VALID');
    await t.usage.flush();
    // Used again at day 5: idle from day 10 on.
    t.clock.set(start + 10 * DAY_MS - 1);
    expect((await t.lifetime.run()).disabled).toEqual([]);
    t.clock.set(start + 10 * DAY_MS);
    expect((await t.lifetime.run()).disabled).toEqual([{ keyId: used.id, reason: 'idle' }]);
    expect((await api.get(`/v1/keys/${unused.id}`)).json().disabledReason).toBe('idle');
  });

  it('reminds before a key expires', async () => {
    await setPolicy({ maxTtlDays: 30, remindBeforeDays: 7 });
    const key = await issueKey();
    t.clock.advance(23 * DAY_MS);
    expect((await t.lifetime.run()).notices).toEqual([
      { keyId: key.id, kind: 'key.expiring', deadline: key.expiresAt },
    ]);
  });

  it('in dry-run disables nothing and sends no reminder', async () => {
    await setPolicy({ rotateAfterDays: 1, idleDisableAfterDays: 1, remindBeforeDays: 1, mode: 'dry-run' });
    const key = await issueKey();
    t.clock.advance(30 * DAY_MS);
    expect(await t.lifetime.run()).toEqual({ disabled: [], notices: [], failed: 0 });
    expect(await verify(key.key)).toBe('VALID');
    expect(reminders()).toEqual([]);
  });

  it('sends each reminder once when two nodes run the job at the same time', async () => {
    await setPolicy({ rotateAfterDays: 10, remindBeforeDays: 3 });
    const key = await issueKey();
    t.clock.advance(8 * DAY_MS);
    const other = createLifetimeJob({
      store: t.store,
      engine: t.engine,
      monitoring: t.monitoring,
      webhooks: { store: t.webhooks, notify: () => {} },
      now: t.clock.now,
    });
    const [a, b] = await Promise.all([t.lifetime.run(), other.run()]);
    expect([...a.notices, ...b.notices].map((notice) => notice.keyId)).toEqual([key.id]);
    expect(reminders()).toHaveLength(1);
  });
});
