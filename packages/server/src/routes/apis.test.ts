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

describe('/v1/apis', () => {
  it('creates, reads, lists, updates and deletes an API', async () => {
    const created = await api.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^api_/),
      name: 'Charging',
      prefix: 'amp_live',
      keyPattern: '^amp_live_[0-9A-Za-z]{36}$',
      createdAt: t.clock.now(),
      updatedAt: t.clock.now(),
    });
    expect(created.headers['cache-control']).toBe('no-store');

    expect((await api.get(`/v1/apis/${body.id}`)).json()).toEqual(body);
    const list = await api.get('/v1/apis');
    expect(list.json()).toEqual({ items: [body], nextCursor: null });

    t.clock.advance(1000);
    const updated = await api.patch(`/v1/apis/${body.id}`, { name: 'Charging v2' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      name: 'Charging v2',
      prefix: 'amp_live',
      updatedAt: t.clock.now(),
    });

    const deleted = await api.delete(`/v1/apis/${body.id}`);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await api.get(`/v1/apis/${body.id}`)).statusCode).toBe(404);
  });

  it('paginates with an opaque cursor', async () => {
    for (let i = 0; i < 5; i++) await api.post('/v1/apis', { name: `api ${i}`, prefix: `p${i}x` });
    const first = (await api.get('/v1/apis?limit=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await api.get(`/v1/apis?limit=2&cursor=${first.nextCursor}`)).json();
    const third = (await api.get(`/v1/apis?limit=2&cursor=${second.nextCursor}`)).json();
    expect(third.nextCursor).toBeNull();
    const names = [...first.items, ...second.items, ...third.items].map((a: { name: string }) => a.name);
    expect(names).toEqual(['api 0', 'api 1', 'api 2', 'api 3', 'api 4']);
  });

  it('names the invalid field', async () => {
    const res = await api.post('/v1/apis', { name: '', prefix: 'Bad-Prefix', extra: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.prefix', 'body.extra']));
  });

  it('reserves the root key prefix and rejects a bad cursor on the query string', async () => {
    const reserved = await api.post('/v1/apis', { name: 'x', prefix: 'kwroot' });
    expect(reserved.statusCode).toBe(400);
    expect(reserved.json().errors).toEqual([
      { field: 'body.prefix', message: expect.stringContaining('reserved') },
    ]);
    const cursor = await api.get('/v1/apis?cursor=not-a-cursor!');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().errors[0].field).toBe('querystring.cursor');
    const limit = await api.get('/v1/apis?limit=1000');
    expect(limit.json().errors[0].field).toBe('querystring.limit');
  });

  it('deleting an API deletes its keys, which then stop verifying', async () => {
    const apiId = (await api.post('/v1/apis', { name: 'x', prefix: 'xx' })).json().id;
    const { key, id } = (await api.post('/v1/keys', { apiId })).json();
    expect((await api.post('/v1/keys/verify', { key })).json().valid).toBe(true);
    await api.delete(`/v1/apis/${apiId}`);
    expect((await api.get(`/v1/keys/${id}`)).statusCode).toBe(404);
    expect((await api.post('/v1/keys/verify', { key })).json().code).toBe('NOT_FOUND');
  });
});
