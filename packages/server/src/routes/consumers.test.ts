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

describe('/v1/consumers', () => {
  it('creates, reads, finds by externalId, updates and deletes a consumer', async () => {
    const created = await api.post('/v1/consumers', {
      externalId: 'acme',
      name: 'ACME',
      meta: { plan: 'pro' },
      ratelimits: [{ name: 'requests', limit: 100, duration: 60_000 }],
      credits: { remaining: 1000, refill: { interval: 'monthly', amount: 1000, day: 3 } },
    });
    expect(created.statusCode).toBe(201);
    const consumer = created.json();
    expect(consumer).toEqual({
      id: expect.stringMatching(/^con_/),
      externalId: 'acme',
      name: 'ACME',
      meta: { plan: 'pro' },
      ratelimits: [{ name: 'requests', limit: 100, duration: 60_000, algorithm: 'sliding_window' }],
      credits: { remaining: 1000, refill: { interval: 'monthly', amount: 1000, day: 3 } },
      createdAt: t.clock.now(),
      updatedAt: t.clock.now(),
    });
    expect((await api.get(`/v1/consumers/${consumer.id}`)).json()).toEqual(consumer);
    expect((await api.get('/v1/consumers?externalId=acme')).json().items).toEqual([consumer]);
    expect((await api.get('/v1/consumers?externalId=nobody')).json().items).toEqual([]);

    const updated = await api.patch(`/v1/consumers/${consumer.id}`, {
      name: null,
      credits: null,
      ratelimits: [],
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      name: null,
      credits: null,
      ratelimits: [],
      meta: { plan: 'pro' },
    });

    expect((await api.delete(`/v1/consumers/${consumer.id}`)).statusCode).toBe(204);
    expect((await api.get(`/v1/consumers/${consumer.id}`)).statusCode).toBe(404);
  });

  it('answers 409 naming externalId when it is taken', async () => {
    await api.post('/v1/consumers', { externalId: 'acme' });
    const again = await api.post('/v1/consumers', { externalId: 'acme' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'CONFLICT', errors: [{ field: 'body.externalId' }] });
  });

  it('rejects oversize meta, duplicate limit names and a day on a daily refill', async () => {
    const big = await api.post('/v1/consumers', { externalId: 'x', meta: { blob: 'x'.repeat(17 * 1024) } });
    expect(big.statusCode).toBe(400);
    expect(big.json().errors[0].field).toBe('body.meta');
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { deep };
    expect((await api.post('/v1/consumers', { externalId: 'x', meta: deep })).json().errors[0].field).toBe(
      'body.meta',
    );
    const dup = await api.post('/v1/consumers', {
      externalId: 'x',
      ratelimits: [
        { name: 'a', limit: 1, duration: 1000 },
        { name: 'a', limit: 2, duration: 1000 },
      ],
    });
    expect(dup.json().errors[0].field).toBe('body.ratelimits[1].name');
    const day = await api.post('/v1/consumers', {
      externalId: 'x',
      credits: { remaining: 1, refill: { interval: 'daily', amount: 1, day: 2 } },
    });
    expect(day.json().errors[0].field).toBe('body.credits.refill.day');
    const interval = await api.post('/v1/consumers', {
      externalId: 'x',
      credits: { remaining: 1, refill: { interval: 'weekly', amount: 1 } },
    });
    expect(interval.json().errors).toEqual([
      { field: 'body.credits.refill.interval', message: expect.stringContaining('"daily"') },
    ]);
    expect((await api.get('/v1/consumers')).json().items).toEqual([]);
  });

  it('a deleted consumer leaves its keys working', async () => {
    const apiId = (await api.post('/v1/apis', { name: 'x', prefix: 'xx' })).json().id;
    const { key, consumerId } = (await api.post('/v1/keys', { apiId, externalId: 'acme' })).json();
    expect((await api.post('/v1/keys/verify', { key })).json().consumer).toMatchObject({
      externalId: 'acme',
    });
    await api.delete(`/v1/consumers/${consumerId}`);
    const after = (await api.post('/v1/keys/verify', { key })).json();
    expect(after).toMatchObject({ valid: true, consumer: null });
  });
});
