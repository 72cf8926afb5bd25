import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

let t: TestApp;
let api: TestClient;
let apiId: string;

beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
  apiId = (await api.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' })).json().id;
});
afterEach(async () => {
  await t.close();
});

describe('Idempotency-Key', () => {
  it('replays the same reply for the same key and body, without issuing a second key', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const first = await api.post('/v1/keys', { apiId, name: 'n', meta: { a: 1, b: 2 } }, headers);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    // Same body with its keys in another order is the same request.
    const again = await api.post('/v1/keys', { meta: { b: 2, a: 1 }, name: 'n', apiId }, headers);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.headers['cache-control']).toBe('no-store');
    expect(again.json()).toEqual(first.json());
    expect((await api.get('/v1/keys')).json().items).toHaveLength(1);
  });

  it('answers 422 for the same key with a different body or route', async () => {
    const headers = { 'idempotency-key': 'order-43' };
    await api.post('/v1/keys', { apiId, name: 'a' }, headers);
    const other = await api.post('/v1/keys', { apiId, name: 'b' }, headers);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({
      code: 'UNPROCESSABLE',
      errors: [{ field: 'headers.idempotency-key' }],
    });
    const otherRoute = await api.post('/v1/consumers', { externalId: 'x' }, headers);
    expect(otherRoute.statusCode).toBe(422);
    expect((await api.get('/v1/keys')).json().items).toHaveLength(1);
  });

  it('scopes keys per workspace and does not store failures', async () => {
    const headers = { 'idempotency-key': 'shared' };
    const failed = await api.post('/v1/keys', { apiId: 'api_missing' }, headers);
    expect(failed.statusCode).toBe(404);
    const ok = await api.post('/v1/keys', { apiId }, headers);
    expect(ok.statusCode).toBe(201);
    const b = clientFor(t.app, t.b.rootKey);
    const bApi = (await b.post('/v1/apis', { name: 'B', prefix: 'bbb' })).json().id;
    const inB = await b.post('/v1/keys', { apiId: bApi }, headers);
    expect(inB.statusCode).toBe(201);
    expect(inB.headers['idempotency-replayed']).toBeUndefined();
  });

  it('runs concurrent requests with one key once', async () => {
    const headers = { 'idempotency-key': 'burst' };
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => api.post('/v1/keys', { apiId }, headers)),
    );
    expect(new Set(replies.map((r) => r.json().id)).size).toBe(1);
    expect(replies.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(4);
    expect((await api.get('/v1/keys')).json().items).toHaveLength(1);
  });

  it('never stores the replayable plaintext key in the database', async () => {
    const { key } = (await api.post('/v1/keys', { apiId }, { 'idempotency-key': 'secret-check' })).json();
    expect(JSON.stringify(t.dump())).not.toContain(key);
    expect(JSON.stringify(t.dump())).not.toContain('secret-check');
  });

  it('rejects a malformed Idempotency-Key', async () => {
    const res = await api.post('/v1/keys', { apiId }, { 'idempotency-key': 'x'.repeat(300) });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('headers.idempotency-key');
  });
});
