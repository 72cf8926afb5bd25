import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T = Date.UTC(2030, 0, 1);

let t: TestApp;
let asA: TestClient;
let asB: TestClient;
let key1: { id: string; key: string };
let key2: { id: string; key: string };
let consumerId: string;

const verify = async (key: string, extra: object = {}) => {
  const res = await asA.post('/v1/keys/verify', { key, ...extra });
  expect(res.statusCode).toBe(200);
  return res.json() as { code: string };
};
const usage = (client: TestClient, query: string, headers?: Record<string, string>) =>
  client.get(`/v1/usage?${query}`, headers);

beforeAll(async () => {
  t = await createTestApp();
  asA = clientFor(t.app, t.a.rootKey);
  asB = clientFor(t.app, t.b.rootKey);
  const apiId = (await asA.post('/v1/apis', { name: 'Charging', prefix: 'amp_live' })).json().id;
  consumerId = (await asA.post('/v1/consumers', { externalId: 'ionity' })).json().id;
  key1 = (await asA.post('/v1/keys', { apiId, consumerId, permissions: ['sessions:read'] })).json();
  key2 = (await asA.post('/v1/keys', { apiId })).json();
  // T: key1 twice VALID, once refused; T+1m: key2; T+1h: key1 again.
  t.clock.set(T + 5_000);
  await expect(verify(key1.key)).resolves.toMatchObject({ code: 'VALID' });
  await expect(verify(key1.key, { ip: '203.0.113.9' })).resolves.toMatchObject({ code: 'VALID' });
  await expect(verify(key1.key, { permissions: 'sessions:write' })).resolves.toMatchObject({
    code: 'INSUFFICIENT_PERMISSIONS',
  });
  t.clock.set(T + MINUTE + 1);
  await expect(verify(key2.key)).resolves.toMatchObject({ code: 'VALID' });
  t.clock.set(T + HOUR + 30_000);
  await expect(verify(key1.key)).resolves.toMatchObject({ code: 'VALID' });
  await t.usage.flush();
});
afterAll(async () => {
  await t.close();
});

describe('GET /v1/usage', () => {
  it('answers a dense series of every bucket, aligned to the granularity', async () => {
    const res = await usage(asA, `granularity=minute&from=${T + 1000}&to=${T + 3 * MINUTE}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      granularity: 'minute',
      from: T,
      to: T + 3 * MINUTE,
      series: [
        { start: T, count: 3 },
        { start: T + MINUTE, count: 1 },
        { start: T + 2 * MINUTE, count: 0 },
      ],
    });
  });

  it('groups by outcome, key and consumer, and filters', async () => {
    const range = `granularity=hour&from=${T}&to=${T + 2 * HOUR}`;
    expect((await usage(asA, `${range}&groupBy=outcome`)).json().series).toEqual([
      { start: T, outcome: 'INSUFFICIENT_PERMISSIONS', count: 1 },
      { start: T, outcome: 'VALID', count: 3 },
      { start: T + HOUR, outcome: 'VALID', count: 1 },
    ]);
    expect((await usage(asA, `${range}&groupBy=key`)).json().series).toEqual([
      { start: T, keyId: key1.id, count: 3 },
      { start: T, keyId: key2.id, count: 1 },
      { start: T + HOUR, keyId: key1.id, count: 1 },
    ]);
    expect((await usage(asA, `${range}&groupBy=consumer`)).json().series).toEqual([
      { start: T, consumerId: null, count: 1 },
      { start: T, consumerId, count: 3 },
      { start: T + HOUR, consumerId, count: 1 },
    ]);
    expect((await usage(asA, `${range}&keyId=${key2.id}`)).json().series).toEqual([
      { start: T, count: 1 },
      { start: T + HOUR, count: 0 },
    ]);
    expect(
      (await usage(asA, `granularity=day&from=${T}&to=${T + 1}&consumerId=${consumerId}`)).json(),
    ).toEqual({
      granularity: 'day',
      from: T,
      to: T + 24 * HOUR,
      series: [{ start: T, count: 4 }],
    });
  });

  it('defaults to the last hour of minutes up to now', async () => {
    const body = (await usage(asA, 'granularity=minute')).json();
    expect(body.series).toHaveLength(61);
    expect(body.series.at(-1)).toEqual({ start: T + HOUR, count: 1 });
    expect(body.to).toBe(T + HOUR + MINUTE);
  });

  it('exports CSV with Accept: text/csv or format=csv', async () => {
    const range = `granularity=hour&from=${T}&to=${T + 2 * HOUR}`;
    const byHeader = await usage(asA, range, { accept: 'text/csv' });
    expect(byHeader.statusCode).toBe(200);
    expect(byHeader.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(byHeader.headers['content-disposition']).toBe('attachment; filename="usage-hour-2030-01-01.csv"');
    expect(byHeader.body).toBe('start,count\r\n2030-01-01T00:00:00.000Z,4\r\n2030-01-01T01:00:00.000Z,1\r\n');
    const grouped = await usage(asA, `${range}&groupBy=consumer&format=csv`);
    expect(grouped.body).toBe(
      `start,consumerId,count\r\n2030-01-01T00:00:00.000Z,,1\r\n2030-01-01T00:00:00.000Z,${consumerId},3\r\n` +
        `2030-01-01T01:00:00.000Z,${consumerId},1\r\n`,
    );
    const json = await usage(asA, `${range}&format=json`, { accept: 'text/csv' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it("shows a workspace nothing of another's usage", async () => {
    const range = `granularity=hour&from=${T}&to=${T + 2 * HOUR}`;
    expect((await usage(asB, range)).json().series.map((p: { count: number }) => p.count)).toEqual([0, 0]);
    expect((await usage(asB, `${range}&keyId=${key1.id}`)).json().series).toEqual([
      { start: T, count: 0 },
      { start: T + HOUR, count: 0 },
    ]);
    expect((await usage(asB, `${range}&groupBy=key`)).json().series).toEqual([]);
    const keyOfA = await asB.get(`/v1/keys/${key1.id}/usage`);
    expect(keyOfA.statusCode).toBe(404);
    expect(keyOfA.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('needs usage:read', async () => {
    const reader = clientFor(t.app, await t.rootKey(['usage:read']));
    const other = clientFor(t.app, await t.rootKey(['keys:read']));
    expect((await usage(reader, 'granularity=day')).statusCode).toBe(200);
    expect((await reader.get(`/v1/keys/${key1.id}/usage`)).statusCode).toBe(200);
    expect((await usage(other, 'granularity=day')).statusCode).toBe(403);
    expect((await other.get(`/v1/keys/${key1.id}/usage`)).statusCode).toBe(403);
    expect((await usage(clientFor(t.app, null), 'granularity=day')).statusCode).toBe(401);
  });

  it('names the field of an invalid query', async () => {
    const fieldOf = async (query: string) => {
      const res = await usage(asA, query);
      expect(res.statusCode).toBe(400);
      return (res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    };
    await expect(fieldOf('granularity=week')).resolves.toEqual(['querystring.granularity']);
    await expect(fieldOf('groupBy=api')).resolves.toEqual(['querystring.groupBy']);
    await expect(fieldOf('from=soon')).resolves.toEqual(['querystring.from']);
    await expect(fieldOf(`from=${T}&to=${T}`)).resolves.toEqual(['querystring.to']);
    await expect(fieldOf(`granularity=minute&from=${T}&to=${T + 2 * 24 * HOUR}`)).resolves.toEqual([
      'querystring.from',
    ]);
    await expect(fieldOf('keyId=')).resolves.toEqual(['querystring.keyId']);
    await expect(fieldOf('ip=1.2.3.4')).resolves.toEqual(['querystring.ip']);
  });
});

describe('GET /v1/keys/:id/usage', () => {
  it("answers a key's last use and counts, from totals kept per batch", async () => {
    const res = await asA.get(`/v1/keys/${key1.id}/usage`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      keyId: key1.id,
      lastUsedAt: T + HOUR + 30_000,
      lastValidAt: T + HOUR + 30_000,
      requests: 4,
      valid: 3,
    });
  });

  it('answers zeros for a key never verified, and 404 for an unknown key', async () => {
    const apiId = (await asA.get('/v1/apis')).json().items[0].id;
    const fresh = (await asA.post('/v1/keys', { apiId })).json();
    expect((await asA.get(`/v1/keys/${fresh.id}/usage`)).json()).toEqual({
      keyId: fresh.id,
      lastUsedAt: null,
      lastValidAt: null,
      requests: 0,
      valid: 0,
    });
    expect((await asA.get('/v1/keys/key_0000000000000000000000/usage')).statusCode).toBe(404);
  });
});
