import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './testing/test-app.js';
import { clientFor } from './testing/test-client.js';

let t: TestApp;
let auth: { authorization: string };

beforeAll(async () => {
  t = await createTestApp({ app: { bodyLimit: 4096 } });
  auth = { authorization: `Bearer ${t.a.rootKey}` };
});
afterAll(async () => {
  await t.close();
});

const expectProblem = (
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) => {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:keyward:problem:/),
    title: expect.any(String),
    detail: expect.any(String),
  });
  return body;
};

describe('HTTP error shapes', () => {
  it('413 for an oversize body', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/apis',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(5000), prefix: 'abc' }),
    });
    expect(expectProblem(res, 413).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('415 for a body that is not JSON', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/apis',
        headers: { ...auth, 'content-type': type },
        payload: 'name=x',
      });
      expect(expectProblem(res, 415).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('400 for malformed JSON, prototype poisoning and a body of the wrong type, without echoing it', async () => {
    const bodies = [
      '{"name": "amp_live_secret',
      '{"__proto__": {"x": 1}, "name": "a", "prefix": "abc"}',
      '[1,2]',
      '"text"',
      'null',
    ];
    for (const payload of bodies) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/apis',
        headers: { ...auth, 'content-type': 'application/json' },
        payload,
      });
      const body = expectProblem(res, 400);
      expect(JSON.stringify(body)).not.toContain('secret');
    }
  });

  it('400 names the field for each schema failure', async () => {
    const res = await clientFor(t.app, t.a.rootKey).post('/v1/consumers', {
      externalId: 5,
      name: 7,
      ratelimits: [{ name: 'r', limit: 'x', duration: 1000, extra: true }, {}],
      credits: { refill: null },
    });
    const body = expectProblem(res, 400);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.externalId', message: 'must be string' },
        { field: 'body.name', message: 'must be string or null' },
        { field: 'body.ratelimits[0].limit', message: 'must be integer' },
        { field: 'body.ratelimits[0].extra', message: 'is not allowed' },
        { field: 'body.ratelimits[1].name', message: 'is required' },
        { field: 'body.credits.remaining', message: 'is required' },
      ]),
    );
  });

  it('404 for unknown routes and unknown methods on known paths', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['GET', '/v1/unknown'],
      ['PUT', '/v1/apis'],
      ['POST', '/v1/apis/x/y'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: auth });
      expect(expectProblem(res, 404).code).toBe('NOT_FOUND');
    }
  });

  it('a request id: a sane X-Request-Id is kept, anything else replaced', async () => {
    const kept = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await t.app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const keyShaped = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': t.a.rootKey } });
    expect(keyShaped.headers['x-request-id']).not.toBe(t.a.rootKey);
    const problem = await t.app.inject({ url: '/v1/nothing', headers: { 'x-request-id': 'trace-9' } });
    expect(problem.json()).toMatchObject({ requestId: 'trace-9', instance: '/v1/nothing' });
  });

  it('an empty body with a JSON content type is no body', async () => {
    const api = clientFor(t.app, t.a.rootKey);
    const apiId = (await api.post('/v1/apis', { name: 'x', prefix: 'emp' })).json().id;
    const { id } = (await api.post('/v1/keys', { apiId })).json();
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/keys/${id}/revoke`,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('5xx', () => {
  it('never leaks internals', async () => {
    const failing = await createTestApp();
    try {
      failing.store.apis.list = async () => {
        throw new Error('SQLITE_IOERR: disk I/O error at /secret/path/keyward.db');
      };
      const res = await clientFor(failing.app, failing.a.rootKey).get('/v1/apis');
      const body = expectProblem(res, 500);
      expect(body.code).toBe('INTERNAL');
      expect(JSON.stringify(body)).not.toMatch(/SQLITE|secret|disk/);
    } finally {
      await failing.close();
    }
  });
});
